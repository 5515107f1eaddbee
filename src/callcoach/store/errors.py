"""Database faults said so a user can act on them, instead of a driver's traceback.

`StoreError` is what the CLI prints as an error (exit 1) and what an import reports against the
one file it was writing. Two kinds:

- `DatabaseUnavailableError`: the database cannot be used at all (a path in a missing folder, a
  file that is not a database, a read-only file, a PostgreSQL server that does not answer or a
  database that does not exist). No command can go on.
- `ValueRefusedError`: the database refused one value (a NUL character on PostgreSQL, a number
  too large for its column). Only the write that carried it fails.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url


class StoreError(Exception):
    """A database fault, with a message that says what to do."""


class DatabaseUnavailableError(StoreError):
    pass


class ValueRefusedError(StoreError):
    pass


def _driver_message(exc: sa_exc.DBAPIError) -> str:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    return text.strip().splitlines()[0] if text.strip() else type(exc).__name__


def _sqlite(path: Path, message: str) -> StoreError | None:
    lowered = message.lower()
    if "unable to open database file" in lowered:
        if not path.parent.is_dir():
            return DatabaseUnavailableError(
                f"cannot open the database {path}: the folder {path.parent} does not exist "
                "(create it, or pass --db with another path)"
            )
        return DatabaseUnavailableError(
            f"cannot open the database {path}: check that you may read and write it and its folder"
        )
    if "file is not a database" in lowered or "malformed" in lowered:
        return DatabaseUnavailableError(
            f"{path} is not a callcoach database (not an SQLite database file); pass --db with "
            "the right file, or a new path to create one with `callcoach init`"
        )
    if "readonly" in lowered or "read-only" in lowered:
        return DatabaseUnavailableError(
            f"the database {path} is read-only: callcoach needs to write to it (and to create "
            f"{path.name}-wal and {path.name}-shm beside it); give write access to the file and "
            "its folder"
        )
    if "disk i/o error" in lowered or "database or disk is full" in lowered:
        return DatabaseUnavailableError(f"the database {path} cannot be written: {message}")
    return None


def _postgresql(display_url: str, url: str, message: str) -> StoreError | None:
    lowered = message.lower()
    parsed = make_url(url)
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    if "does not exist" in lowered and "database" in lowered:
        name = parsed.database or "?"
        return DatabaseUnavailableError(
            f"the PostgreSQL database {name!r} does not exist on {where}: create it "
            f"(`createdb {name}`), then run `callcoach init`"
        )
    if any(
        marker in lowered
        for marker in (
            "connection refused",
            "could not connect",
            "connection failed",
            "timeout expired",
            "could not translate host name",
            "name or service not known",
            "no route to host",
            "server closed the connection",
        )
    ):
        return DatabaseUnavailableError(
            f"cannot reach the PostgreSQL server at {where} ({display_url}): {message}"
        )
    if "password authentication failed" in lowered or "no pg_hba.conf entry" in lowered:
        return DatabaseUnavailableError(f"PostgreSQL at {where} refused the login: {message}")
    if "read-only transaction" in lowered:
        return DatabaseUnavailableError(
            f"the PostgreSQL database at {where} is read-only (a standby, or "
            "default_transaction_read_only): callcoach needs to write to it"
        )
    return None


def explain_database_error(url: str, display_url: str, exc: sa_exc.DBAPIError) -> StoreError | None:
    """The StoreError for a driver error a user can act on; None for anything else (a bug)."""
    message = _driver_message(exc)
    if isinstance(exc, sa_exc.DataError):
        lowered = message.lower()
        if "nul" in lowered and "0x00" in lowered:
            return ValueRefusedError(
                "a text contains a NUL character (\\x00), which PostgreSQL cannot store"
            )
        return ValueRefusedError(f"the database refused a value: {message}")
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            return _sqlite(Path(database), message)
        return None
    return _postgresql(display_url, url, message)
