"""Shared fixtures: a fresh database per test, on SQLite and on PostgreSQL.

PostgreSQL tests run against CALLCOACH_TEST_PG_URL (default: the local server, database `test`),
each in a schema of its own that is dropped afterwards. Where no server answers they are skipped
with the reason, except when CALLCOACH_REQUIRE_SERVICES=1 (set by `make test`, hence CI), where a
missing server is a failure: CI must never pass by skipping.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from callcoach.store.db import Database
from callcoach.store.uow import Store

PG_URL = os.environ.get("CALLCOACH_TEST_PG_URL", "postgresql://127.0.0.1:5432/test")
REQUIRE_SERVICES = os.environ.get("CALLCOACH_REQUIRE_SERVICES") == "1"
REPO_ROOT = Path(__file__).resolve().parent.parent


def _find_shared_data() -> Path:
    """../shared/data beside the project (or beside any folder above it), or CALLCOACH_EVAL_DATA."""
    if os.environ.get("CALLCOACH_EVAL_DATA"):
        return Path(os.environ["CALLCOACH_EVAL_DATA"])
    for folder in REPO_ROOT.parents:
        if (folder / "shared" / "data" / "persuasionforgood-dev.jsonl").exists():
            return folder / "shared" / "data"
    return REPO_ROOT.parent / "shared" / "data"


SHARED_DATA = _find_shared_data()


def missing_service(reason: str) -> None:
    """Skip where a service is absent, but fail where it is required (CI)."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (CALLCOACH_REQUIRE_SERVICES=1: services are required here)")
    pytest.skip(reason)


def _pg_admin_url() -> str:
    return PG_URL.replace("postgresql+psycopg://", "postgresql://")


def postgres_schema_url() -> Iterator[str]:
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:16]}"
    try:
        conn = psycopg.connect(_pg_admin_url(), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        missing_service(f"PostgreSQL not reachable at {PG_URL}: {exc}".splitlines()[0])
        return
    with conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(_pg_admin_url(), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(autouse=True)
def no_scoring_after_import(monkeypatch: pytest.MonkeyPatch) -> None:
    """Imports score what they imported by default (CALLCOACH_SCORE_AFTER_IMPORT): tests that
    are not about it turn it off, so an import does not load the embedding model; the tests
    of it turn it back on (tests/e2e/test_jobs_*.py), and a unit test holds the default."""
    monkeypatch.setenv("CALLCOACH_SCORE_AFTER_IMPORT", "false")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL: a new SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'callcoach.db'}"
    else:
        yield from postgres_schema_url()


# Migrating costs ~0.4 s on SQLite and ~1 s on PostgreSQL per test. Each test process migrates
# once: a template SQLite file that every test copies, and the migration's SQL (Alembic's offline
# mode, exactly what `migrate` runs) that every PostgreSQL schema replays in one round trip.
# tests/integration/test_migrations.py still migrates for real, on both backends.


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    database = Database(str(path))
    database.migrate()
    database.dispose()  # the last connection checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def _postgres_migration_sql() -> str:
    import io

    from alembic import command

    from callcoach.store.db import alembic_config

    out = io.StringIO()
    config = alembic_config(PG_URL)
    config.output_buffer = out
    command.upgrade(config, "head", sql=True)
    return out.getvalue()


def _migrated_copy(db_url: str, sqlite_template: Path, migration_sql: str) -> Database:
    if db_url.startswith("sqlite"):
        target = Path(db_url.removeprefix("sqlite:///"))
        shutil.copyfile(sqlite_template, target)
        return Database(db_url)
    import psycopg

    schema = db_url.rsplit("search_path%3D", 1)[1]
    with psycopg.connect(_pg_admin_url(), autocommit=True) as conn:
        conn.execute(f'SET search_path TO "{schema}"')
        conn.execute(migration_sql)
    return Database(db_url)


@pytest.fixture
def store(
    request: pytest.FixtureRequest,
    db_url: str,
    _sqlite_template: Path,
) -> Iterator[Store]:
    """A migrated store on each backend (a copy of the migrated template)."""
    sql = request.getfixturevalue("_postgres_migration_sql") if "postgresql" in db_url else ""
    database = _migrated_copy(db_url, _sqlite_template, sql)
    assert database.is_current()
    store = Store(database)
    yield store
    store.close()


@pytest.fixture
def sqlite_store(tmp_path: Path, _sqlite_template: Path) -> Iterator[Store]:
    """A migrated store on a fresh SQLite file, for tests that are not about the backend."""
    target = tmp_path / "callcoach.db"
    shutil.copyfile(_sqlite_template, target)
    store = Store(Database(str(target)))
    yield store
    store.close()


@pytest.fixture
def shared_data() -> Path:
    if not (SHARED_DATA / "persuasionforgood-dev.jsonl").exists():
        pytest.skip(f"shared evaluation data not found at {SHARED_DATA}")
    return SHARED_DATA
