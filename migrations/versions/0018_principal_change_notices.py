"""principal changes are announced: NOTIFY sc_principals from users, user_sessions, service_centers (issue 10)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 22:40:00

Each app process keeps the principal of a login session (user, role, center, language) between
requests and empties that cache when a statement trigger here NOTIFYs `sc_principals` at the commit
of a logout, a revocation, a deactivation or a change of role, center, name or language, or of a
center's code or time zone (servicecenter/accounts/principal_cache.py). PostgreSQL only, the same
as the models' DDL makes for create_all (servicecenter.db.notify_principals_on_change).
"""
from __future__ import annotations

from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

FUNCTION_SQL = ("CREATE OR REPLACE FUNCTION sc_notify_principals() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN PERFORM pg_notify('sc_principals', TG_TABLE_NAME); RETURN NULL; END $$")
WATCHED = {"users": "name, role, center_id, locale, active",
           "user_sessions": "revoked_at, token_hash, user_id",
           "service_centers": "code, timezone"}


def _postgresql() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    if not _postgresql():
        return
    op.execute(FUNCTION_SQL)
    for table, columns in WATCHED.items():
        op.execute(f"CREATE TRIGGER tr_{table}_principals AFTER UPDATE OF {columns} OR DELETE OR TRUNCATE "
                   f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION sc_notify_principals()")


def downgrade() -> None:
    if not _postgresql():
        return
    for table in WATCHED:
        op.execute(f"DROP TRIGGER IF EXISTS tr_{table}_principals ON {table}")
    op.execute("DROP FUNCTION IF EXISTS sc_notify_principals()")
