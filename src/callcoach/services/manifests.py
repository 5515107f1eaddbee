"""Manifest CSVs: call metadata (rep, date, account, deal id...) keyed by file or call id."""

from __future__ import annotations

from pathlib import Path

from callcoach.ingest.errors import ParseError
from callcoach.ingest.manifest import read_manifest
from callcoach.ingest.transcript import CallMetadata, ParsedCall
from callcoach.services.common import ServiceError
from callcoach.services.imports import MetadataLookup


def manifest_lookup(path: Path) -> MetadataLookup:
    """A lookup from a parsed call to its manifest row (by call id, file path or file name)."""
    try:
        rows = read_manifest(path)
    except ParseError as exc:
        raise ServiceError(str(exc)) from exc
    by_key: dict[str, CallMetadata] = {}
    for key, meta in rows:
        by_key[key] = meta

    def lookup(parsed: ParsedCall) -> CallMetadata | None:
        source = Path(parsed.source_file)
        for key in (parsed.external_id, str(source), source.name, source.stem):
            if key in by_key:
                return by_key[key]
        return None

    return lookup
