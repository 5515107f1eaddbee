"""Property: every importer, on a real database, imports a file or rejects it (issue 14).

The same hostile files as tests/unit/test_parsers_property.py, now through the import services
onto SQLite and PostgreSQL: each file either imports or is rejected in the report with a reason
(or the service raises its own ServiceError); never a traceback, never a half-written file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callcoach.domain.access import Scope
from callcoach.services.common import ServiceError
from callcoach.services.exchange.scores import import_scores
from callcoach.services.imports.crm import (
    import_activities,
    import_deals,
    import_quotas,
    import_reps,
)
from callcoach.services.imports.ratings import import_ratings
from callcoach.services.imports.reports import ImportReport
from callcoach.services.imports.transcripts import import_calls
from callcoach.services.rubrics.catalog import add_rubric_file
from callcoach.store.uow import Store
from tests.unit.test_parsers_property import (
    CSV_READERS,
    EXTENSIONS,
    TEXT,
    TRANSCRIPTS,
    csv_file,
    write,
)

EVERYONE = Scope.system("test: read the whole organisation")

IMPORTS = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CRM = {
    "deals": import_deals,
    "reps": import_reps,
    "activities": import_activities,
    "quotas": import_quotas,
}


def imported_or_rejected(report: ImportReport) -> None:
    for file in report.files:
        if not file.ok:
            assert file.error and file.created == file.updated == 0 and not file.call_ids


def call_count(store: Store) -> int:
    with store.unit_of_work() as uow:
        return uow.calls.count(scope=EVERYONE)


@IMPORTS
@given(data=st.data())
def test_call_imports_import_or_reject_each_file(store: Store, tmp_path: Path, data: Any) -> None:
    name = data.draw(st.sampled_from(sorted(TRANSCRIPTS)), label="format")
    content = data.draw(TRANSCRIPTS[name] | st.binary(max_size=200), label="file")
    path = write(tmp_path / f"call{EXTENSIONS[name]}", content)
    before = call_count(store)
    report = import_calls(store, [path])
    imported_or_rejected(report)
    assert call_count(store) == before + report.created


@IMPORTS
@given(data=st.data())
def test_crm_and_rating_imports_import_or_reject(store: Store, tmp_path: Path, data: Any) -> None:
    what = data.draw(st.sampled_from([*sorted(CRM), "ratings"]), label="import")
    headers = CSV_READERS[what][1]
    path = write(tmp_path / f"{what}.csv", data.draw(csv_file(headers), label="file"))
    if what == "ratings":
        try:
            report = import_ratings(store, [path])
        except ServiceError:
            return
    else:
        report = CRM[what](store, [path])
    imported_or_rejected(report)


@IMPORTS
@given(content=TEXT | st.binary(max_size=200))
def test_score_imports_and_rubric_files_import_or_reject(
    store: Store, tmp_path: Path, content: str | bytes
) -> None:
    imported_or_rejected(import_scores(store, write(tmp_path / "scores.jsonl", content)))
    try:
        add_rubric_file(store, write(tmp_path / "rubric.yaml", content))
    except ServiceError as exc:
        assert str(exc)
