"""Acceptance of the foundation issue on the real conversation file, on both backends."""

from __future__ import annotations

from pathlib import Path

from callcoach.domain.access import Scope
from callcoach.services.imports.transcripts import import_calls
from callcoach.store.uow import Store

EVERYONE = Scope.system("test: read the whole organisation")


def counts(store: Store) -> tuple[int, int, int]:
    with store.unit_of_work() as uow:
        return (
            uow.calls.count(scope=EVERYONE),
            uow.calls.segment_count(),
            len(uow.people.rep_names(scope=EVERYONE)),
        )


def test_import_is_idempotent_and_complete(store: Store, shared_data: Path) -> None:
    path = shared_data / "persuasionforgood-dev.jsonl"
    first = import_calls(store, [path])
    assert first.ok, first.failed
    assert first.created == 498
    calls, segments, reps = counts(store)
    assert calls == 498
    second = import_calls(store, [path])
    assert second.ok
    assert (second.created, second.updated) == (0, 498)
    assert counts(store) == (calls, segments, reps)

    with store.unit_of_work() as uow:
        call = uow.calls.get("p4g-20180723-042344_940_live", scope=EVERYONE)
        assert call is not None
        assert call.rep == "user_2219"
        assert call.segments[0].text.startswith("How much money do you spend daily")
        assert call.segments[0].is_rep and not call.segments[1].is_rep
        assert call.annotations is not None
        deal = uow.deals.get("p4g-20180723-042344_940_live", scope=EVERYONE)
        assert deal is not None and deal.outcome.value == "lost"


def test_truncated_file_fails_with_its_line_and_writes_nothing(
    store: Store, shared_data: Path, tmp_path: Path
) -> None:
    lines = (shared_data / "persuasionforgood-dev.jsonl").read_text().splitlines(keepends=True)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(lines[:300]) + lines[300][: len(lines[300]) // 2])
    good = tmp_path / "good.jsonl"
    good.write_text("".join(lines[:5]))

    report = import_calls(store, [cut, good])
    assert not report.ok
    failed = report.failed
    assert [f.path for f in failed] == [str(cut)]
    assert failed[0].line == 301
    assert "invalid JSON" in (failed[0].error or "")
    # The cut file wrote nothing; the good file in the same run still imported.
    assert counts(store)[0] == 5


def test_a_bad_line_rolls_back_a_reimport_too(
    store: Store, shared_data: Path, tmp_path: Path
) -> None:
    lines = (shared_data / "persuasionforgood-dev.jsonl").read_text().splitlines(keepends=True)
    base = tmp_path / "calls.jsonl"
    base.write_text("".join(lines[:20]))
    assert import_calls(store, [base]).created == 20
    before = counts(store)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(lines[20:40]) + '{"call_id": "x", "turns": []}\n')
    report = import_calls(store, [bad])
    assert report.failed[0].line == 21
    assert counts(store) == before
