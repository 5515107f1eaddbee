"""Importing human ratings (a manager's level per call x criterion), all-or-nothing per file.

The rubric of a row is its `rubric_id` cell, else the --rubric option, else the one stored
rubric that has the criterion (two rubrics with that criterion: the row must say which). Every
call, rubric, criterion and evidence segment is checked before anything is written: one unknown
call rejects the whole file, naming the line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from callcoach.domain.access import SYSTEM, Viewer
from callcoach.domain.scores import HumanRating
from callcoach.ingest.errors import ParseError
from callcoach.ingest.ratings_file import RatingRecord, read_ratings
from callcoach.services.common import NotFoundError, Progress
from callcoach.services.imports.reports import FileReport, ImportReport, import_each_file
from callcoach.store.repositories.rubrics import StoredRubric
from callcoach.store.uow import Store, UnitOfWork


@dataclass(frozen=True)
class _CallRef:
    pk: int
    segments: int


class _Resolver:
    """Looks up the calls, rubrics and criteria a ratings file names, within one transaction."""

    def __init__(self, uow: UnitOfWork, path: Path, viewer: Viewer, rubric: str | None) -> None:
        self.uow = uow
        self.path = path
        self.default_rubric = rubric
        self.rubrics: dict[str, StoredRubric] = {s.rubric.id: s for s, _ in uow.rubrics.list()}
        self.access = uow.people.scope_for(viewer)
        self._calls: dict[str, _CallRef | None] = {}
        self._rubric_pks: dict[str, int] = {}

    def call(self, record: RatingRecord) -> _CallRef:
        if record.call_id not in self._calls:
            row = self.uow.calls.row(record.call_id, scope=self.access)
            self._calls[record.call_id] = (
                _CallRef(row.id, len(row.segments)) if row is not None else None
            )
        ref = self._calls[record.call_id]
        if ref is None:
            raise ParseError(
                self.path,
                record.line,
                f"no call {record.call_id!r} (import the call before its ratings)",
                column="call_id",
            )
        return ref

    def rubric(self, record: RatingRecord) -> str:
        wanted = record.rubric_id or self.default_rubric
        if wanted is not None:
            stored = self.rubrics.get(wanted)
            if stored is None:
                known = ", ".join(sorted(self.rubrics)) or "none yet"
                raise ParseError(
                    self.path,
                    record.line,
                    f"no rubric {wanted!r} (rubrics: {known})",
                    column="rubric_id",
                )
            if record.criterion_id not in stored.rubric.criterion_ids:
                raise ParseError(
                    self.path,
                    record.line,
                    f"rubric {wanted!r} has no criterion {record.criterion_id!r} "
                    f"(its criteria: {', '.join(stored.rubric.criterion_ids)})",
                    column="criterion_id",
                )
            return wanted
        having = sorted(
            slug
            for slug, s in self.rubrics.items()
            if record.criterion_id in s.rubric.criterion_ids
        )
        if not having:
            raise ParseError(
                self.path,
                record.line,
                f"no rubric has a criterion {record.criterion_id!r} (add the rubric first, or "
                "check the criterion id)",
                column="criterion_id",
            )
        if len(having) > 1:
            raise ParseError(
                self.path,
                record.line,
                f"criterion {record.criterion_id!r} is in rubrics {', '.join(having)}: add a "
                "rubric_id column or pass --rubric",
                column="criterion_id",
            )
        return having[0]

    def rubric_pk(self, slug: str) -> int:
        if slug not in self._rubric_pks:
            row = self.uow.rubrics.rubric_row(slug)
            assert row is not None  # listed above
            self._rubric_pks[slug] = row.id
        return self._rubric_pks[slug]


def _write(
    uow: UnitOfWork,
    path: Path,
    records: Sequence[RatingRecord],
    viewer: Viewer,
    rubric: str | None,
    report: FileReport,
) -> None:
    resolver = _Resolver(uow, path, viewer, rubric)
    # "maria chen" in this file is the "Maria Chen" who rated before: one rater, one spelling.
    spelling = {name.lower(): name for name in reversed(uow.scores.rater_names())}
    seen: dict[tuple[str, str, str, str], int] = {}
    checked: list[tuple[RatingRecord, _CallRef, str]] = []
    for record in records:  # check everything before writing anything
        call = resolver.call(record)
        slug = resolver.rubric(record)
        if record.evidence_segment is not None and record.evidence_segment >= call.segments:
            raise ParseError(
                path,
                record.line,
                f"call {record.call_id!r} has segments 0-{call.segments - 1}, "
                f"not {record.evidence_segment}",
                column="evidence_segment",
            )
        key = (record.call_id, slug, record.criterion_id, record.rater.lower())
        if key in seen:
            raise ParseError(
                path,
                record.line,
                f"{record.rater} rated {record.criterion_id!r} of {record.call_id!r} already "
                f"on line {seen[key]}",
            )
        seen[key] = record.line
        checked.append((record, call, slug))
    for record, call, slug in checked:
        rater = spelling.setdefault(record.rater.lower(), record.rater)
        rating = HumanRating(
            call_id=record.call_id,
            rater=rater,
            criterion_id=record.criterion_id,
            level=record.level,
            rubric_id=slug,
            evidence_segment=record.evidence_segment,
            note=record.note,
            source="import",
        )
        if uow.scores.save_rating(rating, call.pk, resolver.rubric_pk(slug)):
            report.created += 1
        else:
            report.updated += 1
    uow.audit.record(
        viewer.username,
        "import.ratings",
        str(path.resolve()),
        created=report.created,
        updated=report.updated,
    )


def import_ratings(
    store: Store,
    paths: Sequence[Path],
    *,
    rubric: str | None = None,
    viewer: Viewer = SYSTEM,
    progress: Progress | None = None,
) -> ImportReport:
    """Import rating files; each lands whole or not at all. Re-imports update the ratings."""
    if rubric is not None:
        with store.unit_of_work() as uow:
            if uow.rubrics.latest(rubric) is None:
                known = ", ".join(s.rubric.id for s, _ in uow.rubrics.list()) or "none yet"
                raise NotFoundError(f"no rubric {rubric!r} (rubrics: {known})")

    def import_file(path: Path, report: FileReport) -> None:
        records, warnings = read_ratings(path)
        report.format = "ratings JSONL" if path.suffix.lower() == ".jsonl" else "ratings CSV"
        report.warnings.extend(warnings)
        with store.unit_of_work() as uow:
            _write(uow, path, records, viewer, rubric, report)

    return import_each_file(paths, import_file, description="Importing ratings", progress=progress)
