"""Moving machine scores in and out: `export scores` (JSONL or CSV) and `import scores` (JSONL).

Import guarantees: the file is read whole before anything is written, and lands in one
transaction or not at all. It is rejected, naming the line, when a call, rubric, rubric version
or criterion it names is unknown, a level is outside 1-5, or a quote is not verbatim in the
segment it cites. Re-importing replaces the run of the same call, rubric version and scorer.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import groupby
from pathlib import Path
from typing import Any, TextIO

from callcoach.domain.access import SYSTEM, Viewer
from callcoach.domain.calls import Call, Segment, SpeakerRole
from callcoach.domain.scores import CallScore, CriterionScore, Evidence, ScoreStatus
from callcoach.ingest.errors import ParseError
from callcoach.ingest.scores_jsonl import ScoreLine, read_score_lines
from callcoach.scoring.evidence import verify_quote
from callcoach.services.assessment.query import resolve_reps
from callcoach.services.common import NoProgress, Progress, ServiceError
from callcoach.services.imports.transcripts import FileReport, ImportReport
from callcoach.store.repositories.rubrics import StoredRubric
from callcoach.store.uow import Store, UnitOfWork

FORMAT_NAME = "scores-jsonl"
CSV_COLUMNS = (
    "call_id",
    "rubric_id",
    "rubric_version",
    "scorer",
    "overall",
    "criterion_id",
    "level",
    "confidence",
    "rationale",
    "evidence",
)
_CALL_BATCH = 500
_IMPORTED_VERSION = "imported"
_ANALYZE_AFTER = 1000  # runs: a bulk load big enough to change the query plans


@dataclass(frozen=True)
class CallWindow:
    """Which calls' scores to export (`until` exclusive), like the other exports' filters."""

    rep: str | None = None
    team: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class ScoreExportSummary:
    runs: int
    criteria: int


def _export_lines(
    uow: UnitOfWork,
    rubric: str | None,
    scorer: str | None,
    calls: CallWindow,
    viewer: Viewer,
) -> Iterator[dict[str, Any]]:
    access = uow.people.scope_for(viewer)
    rep_ids: list[int] | None = None
    if calls.rep or calls.team:
        rep_ids = resolve_reps(uow, access, calls.rep, calls.team).selected
    rows = uow.score_exchange.export_rows(
        rubric, scorer, rep_ids, calls.since, calls.until, scope=access
    )
    for _run, items in groupby(rows, key=lambda r: r[0]):
        group = list(items)
        _, call_id, slug, version, scorer_name, overall, *_ = group[0]
        yield {
            "call_id": call_id,
            "rubric_id": slug,
            "rubric_version": version,
            "scorer": scorer_name,
            "overall": overall,
            "criteria": [
                {
                    "id": crit,
                    "level": level,
                    "confidence": confidence,
                    "rationale": rationale,
                    "evidence": [
                        {
                            "segment": e.get("segment"),
                            "start": e.get("start"),
                            "end": e.get("end"),
                            "speaker": e.get("speaker"),
                            "quote": e.get("quote"),
                        }
                        for e in (evidence or [])
                    ],
                }
                for *_, crit, level, confidence, rationale, evidence in group
                if crit is not None
            ],
        }


def export_scores(
    store: Store,
    out: TextIO,
    output_format: str = "jsonl",
    rubric: str | None = None,
    scorer: str | None = None,
    calls: CallWindow | None = None,
    viewer: Viewer = SYSTEM,
) -> ScoreExportSummary:
    """Write every scored run (optionally of one rubric / scorer) the viewer may see."""
    if output_format not in ("jsonl", "csv"):
        raise ServiceError(f"unknown export format {output_format!r}: jsonl or csv")
    runs = criteria = 0
    with store.unit_of_work() as uow:
        if rubric and uow.analytics.rubric_pk(rubric) is None:
            raise ServiceError(f"no rubric {rubric!r}")
        writer = csv.writer(out) if output_format == "csv" else None
        if writer is not None:
            writer.writerow(CSV_COLUMNS)
        for line in _export_lines(uow, rubric, scorer, calls or CallWindow(), viewer):
            runs += 1
            criteria += len(line["criteria"])
            if writer is None:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
                continue
            for crit in line["criteria"]:
                writer.writerow(
                    [
                        line["call_id"],
                        line["rubric_id"],
                        line["rubric_version"],
                        line["scorer"],
                        "" if line["overall"] is None else line["overall"],
                        crit["id"],
                        "" if crit["level"] is None else crit["level"],
                        crit["confidence"],
                        crit["rationale"],
                        json.dumps(crit["evidence"], ensure_ascii=False),
                    ]
                )
    return ScoreExportSummary(runs=runs, criteria=criteria)


@dataclass(frozen=True)
class CitedSegments:
    """What evidence checks need of a batch of calls: how many segments each call has, and the
    segments the file cites (not whole transcripts: 100k calls of 40 segments are too many)."""

    counts: dict[int, int]
    segments: dict[tuple[int, int], Segment]


def _verified_evidence(
    path: Path,
    number: int,
    call_pk: int,
    cited: CitedSegments,
    line: ScoreLine,
    crit_id: str,
    items: list[Any],
) -> list[Evidence]:
    result = []
    count = cited.counts.get(call_pk, 0)
    for position, item in enumerate(items):
        segment = cited.segments.get((call_pk, item.segment))
        if item.segment >= count or segment is None:
            raise ParseError(
                path,
                number,
                f"criterion {crit_id!r} evidence #{position + 1}: call {line.call_id!r} has no "
                f"segment {item.segment} (it has {count}, numbered from 0)",
            )
        # verify_quote reads only the cited segment: a one-segment call stands in for the call.
        found = verify_quote(Call(line.call_id, [replace(segment, index=0)]), 0, item.quote)
        if found is None:
            raise ParseError(
                path,
                number,
                f"criterion {crit_id!r} evidence #{position + 1}: the quote is not verbatim in "
                f"segment {item.segment} of call {line.call_id!r}: {item.quote[:80]!r}",
            )
        result.append(replace(found, segment=item.segment))
    return result


def _to_score(
    path: Path,
    number: int,
    line: ScoreLine,
    call_pk: int,
    cited: CitedSegments,
    stored: StoredRubric,
) -> CallScore:
    known = set(stored.rubric.criterion_ids)
    seen: set[str] = set()
    criteria = []
    for crit in line.criteria:
        if crit.id not in known:
            raise ParseError(
                path,
                number,
                f"unknown criterion {crit.id!r} for rubric {line.rubric_id!r} version "
                f"{line.rubric_version} (criteria: {', '.join(sorted(known))})",
            )
        if crit.id in seen:
            raise ParseError(path, number, f"criterion {crit.id!r} appears twice")
        seen.add(crit.id)
        criteria.append(
            CriterionScore(
                criterion_id=crit.id,
                level=crit.level,
                confidence=crit.confidence,
                rationale=crit.rationale,
                evidence=_verified_evidence(
                    path, number, call_pk, cited, line, crit.id, crit.evidence
                ),
            )
        )
    levels = {c.criterion_id: c.level for c in criteria}
    return CallScore(
        call_id=line.call_id,
        rubric_id=line.rubric_id,
        rubric_version=line.rubric_version,
        scorer=line.scorer,
        scorer_version=line.scorer_version or _IMPORTED_VERSION,
        status=ScoreStatus.SCORED,
        criteria=criteria,
        # Recomputed so analytics and the file agree on the version's weights.
        overall=stored.rubric.weighted_overall(dict(levels)),
    )


def _store_lines(
    uow: UnitOfWork,
    path: Path,
    lines: list[tuple[int, ScoreLine]],
    viewer: Viewer,
    report: FileReport,
    progress: Progress,
) -> None:
    access = uow.people.scope_for(viewer)
    calls = uow.score_exchange.call_pks([line.call_id for _, line in lines], scope=access)
    versions: dict[tuple[str, int], StoredRubric | None] = {}
    seen: dict[tuple[str, str, int, str], int] = {}
    plan: list[tuple[int, ScoreLine, int, StoredRubric]] = []
    for number, line in lines:
        found = calls.get(line.call_id)
        if found is None:
            raise ParseError(path, number, f"unknown call {line.call_id!r} (import the call first)")
        key = (line.rubric_id, line.rubric_version)
        if key not in versions:
            versions[key] = uow.rubrics.version(*key)
        stored = versions[key]
        if stored is None:
            if uow.rubrics.latest(line.rubric_id) is None:
                raise ParseError(path, number, f"unknown rubric {line.rubric_id!r}")
            raise ParseError(
                path, number, f"rubric {line.rubric_id!r} has no version {line.rubric_version}"
            )
        run_key = (line.call_id, line.rubric_id, line.rubric_version, line.scorer)
        if run_key in seen:
            raise ParseError(
                path,
                number,
                f"repeats the score of call {line.call_id!r} on {line.rubric_id} "
                f"v{line.rubric_version} by {line.scorer!r} already given on line {seen[run_key]}",
            )
        seen[run_key] = number
        plan.append((number, line, found[0], stored))
    existing = uow.score_exchange.existing_runs([pk for _, _, pk, _ in plan])
    progress.start(f"Importing scores from {path.name}", len(plan))
    for start in range(0, len(plan), _CALL_BATCH):
        batch = plan[start : start + _CALL_BATCH]
        wanted = {
            (call_pk, item.segment)
            for _, line, call_pk, _ in batch
            for crit in line.criteria
            for item in crit.evidence
        }
        counts, rows = uow.score_exchange.cited_segments(
            [pk for _, _, pk, _ in batch], wanted, scope=access
        )
        cited = CitedSegments(
            counts=counts,
            segments={
                (call_pk, idx): Segment(idx, speaker, SpeakerRole(role), text, start, end)
                for call_pk, idx, speaker, role, start, end, text in rows
            },
        )
        runs = []
        for number, line, call_pk, stored in batch:
            score = _to_score(path, number, line, call_pk, cited, stored)
            if (call_pk, stored.version_pk, line.scorer) in existing:
                report.updated += 1
            else:
                report.created += 1
            runs.append((score, call_pk, stored.version_pk))
        uow.score_exchange.replace_runs(runs)
        progress.advance(len(batch))


def import_scores(
    store: Store, path: Path, viewer: Viewer = SYSTEM, progress: Progress | None = None
) -> ImportReport:
    """Import one scores JSONL file whole, or reject it whole with the line and the reason."""
    report = ImportReport()
    file_report = FileReport(path=str(path), format=FORMAT_NAME)
    report.files.append(file_report)
    try:
        if not path.exists():
            raise ParseError(path, None, "no such file")
        lines = list(read_score_lines(path))
        if not lines:
            raise ParseError(path, None, "no score lines in the file")
        with store.unit_of_work() as uow:
            _store_lines(uow, path, lines, viewer, file_report, progress or NoProgress())
            uow.audit.record(viewer.username, "scores.import", str(path), runs=len(lines))
            if len(lines) >= _ANALYZE_AFTER:
                uow.score_exchange.refresh_statistics()
    except ParseError as exc:
        file_report.created = file_report.updated = 0
        file_report.error = exc.reason
        file_report.line = exc.line
    except UnicodeDecodeError as exc:
        file_report.created = file_report.updated = 0
        file_report.error = f"not UTF-8 text (byte {exc.start})"
    return report
