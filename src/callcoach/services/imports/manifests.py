"""Manifest CSVs: call metadata (rep, date, account, deal id...) keyed by file or call id."""

from __future__ import annotations

from pathlib import Path

from callcoach.ingest.errors import ParseError
from callcoach.ingest.manifest import read_manifest
from callcoach.ingest.transcript import CallMetadata, ParsedCall
from callcoach.services.common import ServiceError
from callcoach.services.imports.transcripts import MetadataLookup


def manifest_lookup(path: Path) -> MetadataLookup:
    """A lookup from a parsed call to its manifest row.

    Tried in order: the call id, the file's path (relative to the manifest's folder or
    absolute), the path as typed, the file name, the name without extension.
    """
    try:
        rows = read_manifest(path)
    except ParseError as exc:
        raise ServiceError(str(exc)) from exc
    by_key: dict[str, CallMetadata] = {}
    by_path: dict[Path, CallMetadata] = {}
    for key, meta in rows:
        by_key[key] = meta
        by_path[(path.parent / key).resolve()] = meta

    def lookup(parsed: ParsedCall) -> CallMetadata | None:
        source = Path(parsed.source_file)
        if parsed.external_id in by_key and not parsed.derived_id:
            return by_key[parsed.external_id]
        if source.resolve() in by_path:
            return by_path[source.resolve()]
        for key in (str(source), source.name, source.stem, parsed.external_id):
            if key in by_key:
                return by_key[key]
        return None

    return lookup
