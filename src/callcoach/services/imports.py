"""Importing transcripts: every file all-or-nothing, re-imports update instead of duplicating."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from callcoach.domain.calls import DealOutcome
from callcoach.ingest.errors import ParseError
from callcoach.ingest.registry import FormatRegistry, TranscriptFormat, default_registry
from callcoach.ingest.transcript import CallMetadata, ParsedCall, to_call
from callcoach.services.common import NoProgress, Progress, ServiceError
from callcoach.store.uow import Store, UnitOfWork


@dataclass
class FileReport:
    """What happened to one file: imported whole, or rejected whole with the reason."""

    path: str
    format: str | None = None
    created: int = 0
    updated: int = 0
    new_reps: int = 0
    error: str | None = None
    line: int | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def calls(self) -> int:
        return self.created + self.updated


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    @property
    def failed(self) -> list[FileReport]:
        return [f for f in self.files if not f.ok]

    @property
    def created(self) -> int:
        return sum(f.created for f in self.files)

    @property
    def updated(self) -> int:
        return sum(f.updated for f in self.files)


MetadataLookup = Callable[[ParsedCall], CallMetadata | None]


def expand_paths(paths: Iterable[Path], registry: FormatRegistry) -> list[Path]:
    """Files as given, and the files inside directories (recursively, known extensions only)."""
    extensions = {ext for fmt in registry for ext in fmt.extensions}
    result: list[Path] = []
    for path in paths:
        if path.is_dir():
            result.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in extensions)
            )
        else:
            result.append(path)
    return result


def _apply_metadata(parsed: ParsedCall, meta: CallMetadata | None) -> str | None:
    """Manifest or option values fill the call; returns the rep speaker label if one is given."""
    if meta is None:
        return None
    if meta.external_id:
        parsed.external_id = meta.external_id
    parsed.rep = meta.rep or parsed.rep
    parsed.date = meta.date or parsed.date
    parsed.account = meta.account or parsed.account
    parsed.deal_external_id = meta.deal_external_id or parsed.deal_external_id
    parsed.call_type = meta.call_type or parsed.call_type
    return meta.rep_speaker


def _store_calls(
    uow: UnitOfWork,
    parsed_calls: Sequence[ParsedCall],
    metadata: MetadataLookup,
    rep_speaker: str | None,
    report: FileReport,
) -> None:
    roster = uow.people.rep_names()
    unidentified = 0
    for parsed in parsed_calls:
        speaker = _apply_metadata(parsed, metadata(parsed)) or rep_speaker
        call = to_call(parsed, roster, speaker)
        if not call.rep_segments:
            unidentified += 1
        rep_id = None
        if call.rep:
            rep_row, created_rep = uow.people.ensure_rep(call.rep)
            rep_id = rep_row.id
            if created_rep:
                report.new_reps += 1
                roster.append(rep_row.name)
        deal_id = None
        if call.deal_external_id:
            deal = uow.deals.ensure(call.deal_external_id)
            if parsed.deal_outcome_won is not None:
                deal.outcome = (
                    DealOutcome.WON.value if parsed.deal_outcome_won else DealOutcome.LOST.value
                )
                deal.account = deal.account or call.account
                if call.date and deal.close_date is None:
                    deal.close_date = call.date.date()
            if rep_id is not None and deal.rep_id is None:
                deal.rep_id = rep_id
            deal_id = deal.id
        _, created = uow.calls.save(call, rep_id, deal_id)
        if created:
            report.created += 1
        else:
            report.updated += 1
    if unidentified:
        report.warnings.append(
            f"{unidentified} call(s) with no speaker identified as the rep: pass --rep-speaker, "
            "a manifest with rep_speaker, or import the roster first (`callcoach import reps`)"
        )


def import_calls(
    store: Store,
    paths: Sequence[Path],
    *,
    format_name: str | None = None,
    rep_speaker: str | None = None,
    defaults: CallMetadata | None = None,
    manifest: MetadataLookup | None = None,
    registry: FormatRegistry | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import transcripts. Each file is one transaction: it lands whole or not at all."""
    registry = registry or default_registry()
    progress = progress or NoProgress()
    forced: TranscriptFormat | None = None
    if format_name is not None:
        try:
            forced = registry.get(format_name)
        except KeyError as exc:
            raise ServiceError(str(exc.args[0])) from exc

    def metadata(parsed: ParsedCall) -> CallMetadata | None:
        found = manifest(parsed) if manifest else None
        if found is None:
            return defaults
        if defaults is None:
            return found
        return CallMetadata(
            external_id=found.external_id,
            rep=found.rep or defaults.rep,
            date=found.date or defaults.date,
            account=found.account or defaults.account,
            deal_external_id=found.deal_external_id or defaults.deal_external_id,
            call_type=found.call_type or defaults.call_type,
            rep_speaker=found.rep_speaker or defaults.rep_speaker,
        )

    files = expand_paths(paths, registry)
    report = ImportReport()
    progress.start("Importing calls", len(files))
    for path in files:
        file_report = FileReport(path=str(path))
        report.files.append(file_report)
        try:
            if not path.exists():
                raise ParseError(path, None, "no such file")
            fmt = forced or registry.detect(path)
            file_report.format = fmt.name
            parsed_calls = fmt.read(path)
            with store.unit_of_work() as uow:
                _store_calls(uow, parsed_calls, metadata, rep_speaker, file_report)
        except ParseError as exc:
            file_report.created = file_report.updated = file_report.new_reps = 0
            file_report.error = exc.reason
            file_report.line = exc.line
        except UnicodeDecodeError as exc:
            file_report.created = file_report.updated = file_report.new_reps = 0
            file_report.error = f"not UTF-8 text (byte {exc.start})"
        progress.advance()
    return report
