"""Database plumbing: declarative base, column types, engines, the unit of work."""

from __future__ import annotations

import enum
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import DDL, DateTime, Enum, Index, MetaData, Numeric, Table, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

if TYPE_CHECKING:
    from servicecenter.accounts.principal_cache import PrincipalCache

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC moment is stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(enum_cls: type[enum.Enum], length: int = 32) -> Enum:
    """A StrEnum stored as its string value (no native database enum)."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


Money = Numeric(12, 2)


class Base(DeclarativeBase):
    """Every model of the domain."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), Decimal: Money}


def postgresql_index(name: str, *columns: str, **kw: Any) -> Index:
    """An index only PostgreSQL gets (trigram GIN, pattern ops): SQLite's plain B-tree already
    serves its small databases, and the SQLite schema stays as the models say."""
    index = Index(name, *columns, **kw).ddl_if(dialect="postgresql")
    index.info["postgresql_only"] = True
    return index


def needs_pg_trgm(table: Table) -> None:
    """Creating this table on PostgreSQL first makes sure the trigram extension is there."""
    event.listen(table, "before_create",
                 DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"))


# Schema objects a model makes with its own DDL (e.g. a generated tsvector column and its GIN index on
# PostgreSQL), named "table.column" or by the index's name: migrations create them, the comparison of
# the migrated schema with the models leaves them out.
DDL_MANAGED: set[str] = set()


# Who is logged in (a login session's user, role, center) is cached per process on PostgreSQL
# (accounts/principal_cache.py); these tables say when that cache is stale: a statement trigger
# NOTIFYs this channel when a watched column changes or rows go, delivered at the commit.
PRINCIPALS_CHANNEL = "sc_principals"
NOTIFY_FUNCTION_SQL = (f"CREATE OR REPLACE FUNCTION sc_notify_principals() RETURNS trigger LANGUAGE plpgsql AS "
                       f"$$ BEGIN PERFORM pg_notify('{PRINCIPALS_CHANNEL}', TG_TABLE_NAME); RETURN NULL; END $$")


def _notify_trigger_sql(table: str, columns: list[str]) -> str:
    return (f"CREATE TRIGGER tr_{table}_principals AFTER UPDATE OF {', '.join(columns)} OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION sc_notify_principals()")


def notify_principals_on_change(table: Any, columns: list[str]) -> None:
    """PostgreSQL: changes to `columns` of `table` (or its rows deleted) invalidate cached principals."""
    event.listen(table, "after_create", DDL(f"{NOTIFY_FUNCTION_SQL}; {_notify_trigger_sql(table.name, columns)}")
                 .execute_if(dialect="postgresql"))


def schema_objects_for(dialect: str) -> Any:
    """Alembic's include_object for a database of this dialect: PostgreSQL-only indexes are
    compared on PostgreSQL and nowhere else; objects in DDL_MANAGED are not compared."""

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "index" and not reflected and obj.info.get("postgresql_only"):
            return dialect == "postgresql"
        if reflected and compare_to is None:
            key = f"{obj.table.name}.{name}" if type_ == "column" else name
            return key not in DDL_MANAGED
        return True

    return include


def make_engine(url: str, *, generic_plans: bool = False, **kwargs: Any) -> Engine:
    """An engine with our per-dialect settings (SQLite: FKs, WAL, immediate writes; PostgreSQL:
    custom plans unless `generic_plans`, see `generic_plans()`)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    if not generic_plans:  # a copy: the caller's connect_args may serve the other pool too
        connect_args = dict(kwargs.get("connect_args") or {})
        connect_args["options"] = f'{connect_args.get("options", "")} -c plan_cache_mode=force_custom_plan'.strip()
        kwargs["connect_args"] = connect_args
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_when_idle(engine)
    return engine


_GENERIC_PLANS: ContextVar[bool] = ContextVar("sc_generic_plans", default=False)


@contextmanager
def generic_plans() -> Iterator[None]:
    """Sessions opened within the block may keep a statement's plan across executions (PostgreSQL).

    psycopg prepares a statement after its 5th run, and PostgreSQL may then keep a generic plan that
    ignores the values. Our data is skewed (one center holds a 50,000-order backlog, most hold a few
    hundred; a state list is an index condition only when its values are known): a generic plan
    turned the team lead's engineer counts from 5 to 22 ms. So every connection plans each
    execution for its values (`plan_cache_mode=force_custom_plan`; prepared statements still skip
    parsing) — except the connections of a second pool, which `Database.session()` and
    `reading_session()` hand out inside this block, where PostgreSQL chooses (`auto`). For work
    made of lookups by a key whose values are alike — an order by its number, its events, parts and
    files by the order's id, a unit by its serial: the scan, the order page, the intake — planning
    costs more than running (the order page's order with its customer, center, engineer and unit:
    1.3 ms to plan, 0.17 ms to run). Open the session inside the block: a session's connection
    keeps the mode it was made with."""
    token = _GENERIC_PLANS.set(True)
    try:
        yield
    finally:
        _GENERIC_PLANS.reset(token)


IDLE_PING_SECONDS = 5.0


def _ping_when_idle(engine: Engine) -> None:
    """Test a pooled connection before use only when it has sat idle for a while (issue 10).

    `pool_pre_ping` costs every request a round trip. A connection handed back less than
    IDLE_PING_SECONDS ago is used as it is: if the server went away in between (a restart, a killed
    backend), that one request gets the 503 of a lost connection, SQLAlchemy invalidates the whole
    pool at once, and the next request connects afresh. An idle connection — the usual victim of a
    restart at night or a firewall's timeout — is pinged, and a dead one replaced before anyone sees it."""

    @event.listens_for(engine, "checkin")
    def _idle_since(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(str(exc)) from exc
        if not alive:
            raise DisconnectionError("the connection did not answer a ping")


def _begin_before_writing(engine: Engine) -> None:
    """For an engine in autocommit mode: open a transaction before the first statement that writes
    or locks, so that everything from there to the session's commit is one transaction.

    Plain SELECTs run as they come (under READ COMMITTED each statement reads its own snapshot
    inside a transaction too); INSERT/UPDATE/DELETE, WITH, SELECT … FOR UPDATE/SHARE and advisory
    locks wait for a BEGIN. The session's commit (or rollback) then ends it: psycopg sends COMMIT
    whenever a transaction is open, autocommit or not."""

    @event.listens_for(engine, "before_cursor_execute")
    def _begin(_conn: Any, cursor: Any, statement: str, _params: Any, _context: Any, _many: bool) -> None:
        if _reads_only(statement):
            return
        connection = cursor.connection
        if connection.info.transaction_status == _IDLE:
            connection.execute("BEGIN")


_IDLE = 0  # psycopg.pq.TransactionStatus.IDLE


def _reads_only(statement: str) -> bool:
    head = statement.lstrip()[:6].upper()
    if head != "SELECT":
        return False
    upper = statement.upper()
    return " FOR UPDATE" not in upper and " FOR SHARE" not in upper and " FOR KEY SHARE" not in upper \
        and " FOR NO KEY UPDATE" not in upper and "PG_ADVISORY" not in upper


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINTs; we take it over
    # (SQLAlchemy's documented recipe). BEGIN IMMEDIATE takes the write lock up front, so two
    # writers queue on the busy timeout instead of failing on a stale read snapshot.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """An engine and its session factories; one per app or CLI process."""

    def __init__(self, url: str, *, principal_ttl: float = 60.0, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        # One info dict for every factory: what the app puts there (the job dispatcher, the settings)
        # reaches the reading sessions of GET requests too.
        info: dict[str, Any] = {}
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False, info=info)
        self.reading_factory = self.session_factory
        self._reading_engines: set[Engine] = set()
        # (plain, reading) factories on the pool whose connections may keep plans (generic_plans())
        self._generic: tuple[sessionmaker[Session], sessionmaker[Session]] | None = None
        self._generic_engine: Engine | None = None
        # Who is logged in, kept per process until a NOTIFY says it changed (PostgreSQL; 0 = off).
        self.principals: PrincipalCache | None = None
        if self.engine.dialect.name == "postgresql":
            self.reading_factory = self._reading_factory(self.engine, info)
            if self.engine.dialect.driver == "psycopg":
                self._generic_engine = make_engine(url, generic_plans=True, **engine_kwargs)
                self._generic = (sessionmaker(bind=self._generic_engine, expire_on_commit=False, info=info),
                                 self._reading_factory(self._generic_engine, info))
            if principal_ttl > 0:
                from servicecenter.accounts.principal_cache import PrincipalCache

                conninfo = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
                self.principals = PrincipalCache(conninfo, ttl=principal_ttl)

    def _reading_factory(self, engine: Engine, info: dict[str, Any]) -> sessionmaker[Session]:
        reading = engine.execution_options(isolation_level="AUTOCOMMIT")
        _begin_before_writing(reading)
        self._reading_engines.add(reading)
        return sessionmaker(bind=reading, expire_on_commit=False, info=info)

    @classmethod
    def bound_to(cls, connection: Any) -> Database:
        """A Database whose sessions join an open connection's transaction (tests: each
        commit becomes a SAVEPOINT release, and the outer transaction is rolled back)."""
        database = cls.__new__(cls)
        database.url = str(connection.engine.url)
        database.engine = connection.engine
        database.session_factory = sessionmaker(bind=connection, expire_on_commit=False,
                                                join_transaction_mode="create_savepoint")
        database.reading_factory = database.session_factory
        database._reading_engines = set()
        database._generic = database._generic_engine = None  # one connection: its plans as it was made
        database.principals = None  # nothing here commits, so no change would ever be announced
        return database

    def session(self, **kwargs: Any) -> Session:
        """A new session (the caller owns its commit and close); inside `generic_plans()`, on the
        pool whose connections may keep plans."""
        if self._generic is not None and _GENERIC_PLANS.get():
            return self._generic[0](**kwargs)
        return self.session_factory(**kwargs)

    def reading_session(self) -> Session:
        """A session for work that mostly reads (a GET request): on PostgreSQL its SELECTs run
        without BEGIN and COMMIT — two round trips fewer — and its first write or lock opens the one
        transaction its commit ends (`_begin_before_writing`). Elsewhere a plain session. Inside
        `generic_plans()`, on the pool whose connections may keep plans."""
        if self._generic is not None and _GENERIC_PLANS.get():
            return self._generic[1]()
        return self.reading_factory()

    def nothing_to_commit(self, session: Session) -> bool:
        """Whether `session` is a reading session that wrote nothing — no pending objects, no outbox
        job, no transaction opened by a write or a lock — so that its commit would send nothing and
        closing it does the same for less (a GET request's end: about 5% of a scan lookup)."""
        if session.bind not in self._reading_engines:
            return False
        if session.new or session.dirty or session.deleted or session.info.get("outbox"):
            return False
        if session.get_transaction() is None:
            return True
        return session.connection().connection.dbapi_connection.info.transaction_status == _IDLE

    @contextmanager
    def unit_of_work(self, **kwargs: Any) -> Iterator[Session]:
        """One transaction: commit when the block ends cleanly, roll back otherwise."""
        session = self.session(**kwargs)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        if self.principals is not None:
            self.principals.close()
        self.engine.dispose()
        if self._generic_engine is not None:
            self._generic_engine.dispose()
