"""Alembic environment: our metadata, our engine settings, batch mode on SQLite."""

from __future__ import annotations

from alembic import context

import servicecenter.models  # noqa: F401  (every table registered)
from servicecenter.config import Settings
from servicecenter.db import Base, make_engine, schema_objects_for

config = context.config
target_metadata = Base.metadata
# Set by servicecenter/migrate.py; by hand (`alembic ...`), DATABASE_URL decides, as for the app.
URL = config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url


def run_migrations_offline() -> None:
    context.configure(url=URL, target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(URL)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite", compare_type=True,
                          include_object=schema_objects_for(connection.dialect.name))
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
