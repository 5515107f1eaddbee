"""Importing transcripts: every file all-or-nothing, re-imports update instead of duplicating.

A call is the same call as one already stored when it has the same external id, or the same
transcript (content hash) with the same rep speaker. Two exceptions keep distinct calls apart:

- the same transcript seen from two sides (CaSiNo's two perspectives: same turns, a different
  rep speaker) is two calls;
- a file whose call id is only its file name ("transcript.vtt" from two meeting folders) does not
  overwrite a different call of that name imported from another file: it gets the name plus the
  first 8 characters of its content hash, and the report says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from callcoach.domain.access import SYSTEM, Scope
from callcoach.domain.calls import Call, DealOutcome
from callcoach.ingest.errors import ParseError
from callcoach.ingest.registry import FormatRegistry, TranscriptFormat, default_registry
from callcoach.ingest.transcript import CallMetadata, ParsedCall, to_call
from callcoach.services.common import Progress, ServiceError
from callcoach.services.imports.reports import FileReport, ImportReport, import_each_file
from callcoach.store.uow import Store, UnitOfWork

__all__ = ["FileReport", "ImportReport", "MetadataLookup", "expand_paths", "import_calls"]

MetadataLookup = Callable[[ParsedCall], CallMetadata | None]
_LISTED = 3  # call ids named in a warning before "and N more"


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
        parsed.derived_id = False
    parsed.rep = meta.rep or parsed.rep
    parsed.date = meta.date or parsed.date
    parsed.account = meta.account or parsed.account
    parsed.deal_external_id = meta.deal_external_id or parsed.deal_external_id
    parsed.call_type = meta.call_type or parsed.call_type
    return meta.rep_speaker


def _same_file(stored: str | None, current: str | None) -> bool:
    if not stored or not current:
        return False
    return Path(stored).resolve() == Path(current).resolve()


# An import matches its calls against the whole store: a re-import finds its call (and the roster
# its rep) whoever imported them first.
_IMPORT_MATCHING = Scope.system("import matching against the whole store")


def _where(parsed: ParsedCall) -> str:
    return f"{parsed.source_file}:{parsed.line}" if parsed.line else parsed.source_file


def _refuse_duplicate(
    parsed: ParsedCall, call: Call, same: str, claimed: dict[str, str], source: str | None
) -> None:
    """Two calls with the same transcript and rep speaker but different ids given by the user
    would be stored as one, silently: the second is refused, naming where the first came from."""
    if parsed.derived_id or same == call.external_id:
        return
    first = claimed.get(same)
    if first is None and _same_file(source, parsed.source_file):
        return  # the same file re-imported: it keeps the id it was stored under
    raise ParseError(
        parsed.source_file,
        parsed.line,
        f"call {call.external_id!r} has the same transcript as call {same!r} (from "
        f"{first or source}); a transcript is imported once: remove the duplicate",
    )


def _settle_identity(
    uow: UnitOfWork, call: Call, parsed: ParsedCall, claimed: dict[str, str]
) -> tuple[bool, str | None]:
    """Decide which stored call (if any) this one re-imports, renaming it when needed.

    Returns (match by content allowed, warning). `claimed` holds the calls this import has
    already stored (id -> file and line): a second file or line with one of their ids, or with
    the same transcript under another id, is refused rather than overwriting the first.
    """
    derived_id = parsed.derived_id
    if not derived_id and call.external_id in claimed:
        raise ParseError(
            parsed.source_file,
            parsed.line,
            f"call id {call.external_id!r} is already imported from {claimed[call.external_id]} "
            "in this import; each call needs its own id",
        )
    content_hash = call.content_hash
    row = uow.calls.row(call.external_id, scope=_IMPORT_MATCHING)
    warning = None
    if row is not None:
        if not (
            derived_id
            and row.content_hash != content_hash
            and not _same_file(row.source_file, call.source_file)
        ):
            return True, None
        taken = call.external_id
        call.external_id = f"{taken}-{content_hash[:8]}"
        warning = (
            f"call id {taken!r} belongs to a call from {row.source_file}; this file's call was "
            f"imported as {call.external_id!r} (give it an id with a manifest's call_id column)"
        )
        if uow.calls.row(call.external_id, scope=_IMPORT_MATCHING) is not None:
            return True, warning
    rep_speaker = call.meta.get("rep_speaker")
    for same in uow.calls.rows_with_content(content_hash):
        if (same.meta or {}).get("rep_speaker") == rep_speaker:
            _refuse_duplicate(parsed, call, same.external_id, claimed, same.source_file)
            call.external_id = same.external_id
            return True, warning
    return False, warning


def _link_deal(uow: UnitOfWork, call: Call, parsed: ParsedCall, rep_id: int | None) -> int | None:
    if not call.deal_external_id:
        return None
    deal = uow.deals.ensure(call.deal_external_id)
    if parsed.deal_outcome_won is not None:
        deal.outcome = DealOutcome.WON.value if parsed.deal_outcome_won else DealOutcome.LOST.value
        deal.account = deal.account or call.account
        if call.date and deal.close_date is None:
            deal.close_date = call.date.date()
    if rep_id is not None and deal.rep_id is None:
        deal.rep_id = rep_id
    return deal.id


def _listed(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_LISTED])
    return shown + (f" and {len(items) - _LISTED} more" if len(items) > _LISTED else "")


def _store_calls(
    uow: UnitOfWork,
    path: Path,
    parsed_calls: Sequence[ParsedCall],
    metadata: MetadataLookup,
    rep_speaker: str | None,
    report: FileReport,
    claimed: dict[str, str],
) -> None:
    roster = uow.people.rep_names(scope=_IMPORT_MATCHING)
    unidentified: list[str] = []
    unidentified_labels: dict[str, None] = {}
    source_file = str(path.resolve())
    for parsed in parsed_calls:
        speaker = _apply_metadata(parsed, metadata(parsed)) or rep_speaker
        parsed.source_file = source_file
        call = to_call(parsed, roster, speaker)
        if not call.rep_segments:
            unidentified.append(call.external_id)
            unidentified_labels.update(dict.fromkeys(s.speaker for s in call.segments))
        match_content, warning = _settle_identity(uow, call, parsed, claimed)
        claimed[call.external_id] = _where(parsed)
        parsed.external_id = call.external_id  # callers report the id the call was stored as
        if warning:
            report.warnings.append(warning)
        rep_id = None
        if call.rep:
            rep_row, created_rep = uow.people.ensure_rep(call.rep)
            rep_id = rep_row.id
            if created_rep:
                report.new_reps += 1
                roster.append(rep_row.name)
        deal_id = _link_deal(uow, call, parsed, rep_id)
        _, created = uow.calls.save(call, rep_id, deal_id, match_content=match_content)
        report.call_ids.append(call.external_id)
        if created:
            report.created += 1
        else:
            report.updated += 1
    if unidentified:
        labels = list(unidentified_labels)
        which = (
            f" in {len(unidentified)} of {len(parsed_calls)} calls ({_listed(unidentified)})"
            if len(parsed_calls) > 1
            else ""
        )
        report.warnings.append(f"rep not identified{which}; speakers: {_listed(labels)}")
        report.hints.append(
            "Where the rep was not identified, every turn counts as 'other' and no rep skill can "
            "be scored: pass --rep-speaker LABEL, a --manifest with a rep_speaker column, or "
            "import the roster first (`callcoach import reps`) so speakers match rep names."
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
    actor: str = SYSTEM.username,
) -> ImportReport:
    """Import transcripts. Each file is one transaction: it lands whole or not at all, with its
    entry in the audit log (`actor`: who imported it; the command line is "cli")."""
    registry = registry or default_registry()
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

    def import_file(path: Path, file_report: FileReport) -> None:
        fmt = forced or registry.detect(path)
        file_report.format = fmt.name
        parsed_calls = fmt.read(path)
        if not parsed_calls:
            raise ParseError(path, None, "no calls in file")
        this_file = dict(claimed)  # a rejected file claims nothing
        with store.unit_of_work() as uow:
            _store_calls(uow, path, parsed_calls, metadata, rep_speaker, file_report, this_file)
            uow.audit.record(
                actor,
                "import.calls",
                str(path.resolve()),
                created=file_report.created,
                updated=file_report.updated,
            )
        claimed.update(this_file)

    claimed: dict[str, str] = {}
    return import_each_file(
        expand_paths(paths, registry), import_file, description="Importing calls", progress=progress
    )
