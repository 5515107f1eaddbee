"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from callcoach.store.db import Database
from callcoach.store.models import Base


def test_migrated_schema_matches_models(db_url: str) -> None:
    database = Database(db_url)
    before, after = database.migrate()
    assert before is None
    assert after == database.head_revision()
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    database.dispose()
    assert diff == [], f"models and migrations disagree; add an Alembic revision: {diff}"


def test_migrate_twice_is_a_no_op(db_url: str) -> None:
    database = Database(db_url)
    database.migrate()
    before, after = database.migrate()
    assert before == after == database.head_revision()
    assert database.is_current()
    database.dispose()
