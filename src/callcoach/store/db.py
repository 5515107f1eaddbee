"""Engines, sessions and migrations. Nothing connects until a Database is built."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from callcoach.store.errors import StoreError, explain_database_error

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
__all__ = ["Database", "StoreError", "alembic_config", "database_url", "make_engine"]


def database_url(value: str) -> str:
    """Accept a SQLAlchemy URL or a plain file path (the SQLite default)."""
    if "://" in value:
        url = make_url(value)
        if url.drivername in ("postgresql", "postgres"):
            return str(
                url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
            )
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    url = database_url(url)
    if url.startswith("sqlite"):
        # As many connections as the web server runs request threads (40, AnyIO's default):
        # with the default pool (5 + 10 overflow), 20 pages opened at once in one server
        # process spent part of their time queued for a connection. A SQLite connection is
        # only an open file, so a large pool costs little.
        engine = create_engine(
            url, connect_args={"timeout": 30}, pool_size=10, max_overflow=30, pool_timeout=60
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url(url).replace("%", "%%"))
    return config


class Database:
    """One database: an engine, a session factory, and its migrations."""

    def __init__(self, url: str) -> None:
        self.url = database_url(url)
        self.engine = make_engine(self.url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends, rolled back on any exception."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException as exc:
            session.rollback()
            self._raise_explained(exc)
            raise
        finally:
            session.close()

    def _raise_explained(self, exc: BaseException) -> None:
        """Database faults a user can act on (no such folder, not a database, read-only, server
        unreachable, a value the column cannot hold) become a StoreError that says so."""
        if isinstance(exc, sa_exc.DBAPIError) and not isinstance(exc, sa_exc.IntegrityError):
            explained = explain_database_error(self.url, self.display_url, exc)
            if explained is not None:
                raise explained from exc

    def current_revision(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                return MigrationContext.configure(conn).get_current_revision()
        except sa_exc.DBAPIError as exc:
            self._raise_explained(exc)
            raise

    def head_revision(self) -> str | None:
        return ScriptDirectory.from_config(alembic_config(self.url)).get_current_head()

    def migrate(self) -> tuple[str | None, str | None]:
        """Create or upgrade the schema to the latest revision; returns (before, after)."""
        before = self.current_revision()
        config = alembic_config(self.url)
        try:
            with self.engine.begin() as conn:
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
        except sa_exc.DBAPIError as exc:
            self._raise_explained(exc)
            raise
        return before, self.current_revision()

    def is_current(self) -> bool:
        return self.current_revision() == self.head_revision()

    def dispose(self) -> None:
        self.engine.dispose()
