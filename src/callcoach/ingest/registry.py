"""The registry of transcript formats. A new format is one module plus one line in
`default_registry()` (its FORMAT: name, extensions, how to sniff it, how to read it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from callcoach.ingest.errors import ParseError
from callcoach.ingest.transcript import ParsedCall

# Enough to see past a Whisper file's full-text field or Deepgram's metadata to the keys that
# tell JSON formats apart.
SNIFF_BYTES = 256 * 1024


@dataclass(frozen=True)
class TranscriptFormat:
    """A readable transcript format: how to recognise a file of it, and how to read one."""

    name: str
    summary: str
    extensions: tuple[str, ...]
    sniff: Callable[[Path, str], bool]  # (path, first bytes as text) -> is it this format?
    read: Callable[[Path], list[ParsedCall]]


class FormatRegistry:
    def __init__(self, formats: Iterable[TranscriptFormat] = ()) -> None:
        self._formats: dict[str, TranscriptFormat] = {}
        for fmt in formats:
            self.register(fmt)

    def register(self, fmt: TranscriptFormat) -> None:
        if fmt.name in self._formats:
            raise ValueError(f"format {fmt.name!r} is already registered")
        self._formats[fmt.name] = fmt

    @property
    def names(self) -> list[str]:
        return list(self._formats)

    def __iter__(self) -> Iterator[TranscriptFormat]:
        return iter(self._formats.values())

    def get(self, name: str) -> TranscriptFormat:
        try:
            return self._formats[name]
        except KeyError:
            known = ", ".join(self._formats)
            raise KeyError(f"unknown format {name!r}; known formats: {known}") from None

    def detect(self, path: Path) -> TranscriptFormat:
        """Pick the format by content first, then by extension; fail naming the file."""
        try:
            with path.open("rb") as handle:
                head = handle.read(SNIFF_BYTES).decode("utf-8", errors="replace")
        except OSError as exc:
            raise ParseError(path, None, f"cannot read file: {exc.strerror or exc}") from exc
        head = head.lstrip("\ufeff")
        for fmt in self._formats.values():
            if fmt.sniff(path, head):
                return fmt
        suffix = path.suffix.lower()
        claimants = [fmt for fmt in self._formats.values() if suffix in fmt.extensions]
        if len(claimants) == 1:
            return claimants[0]
        candidates = claimants or list(self._formats.values())
        raise ParseError(
            path,
            None,
            "format not recognised from the content; pass --format (one of: "
            + ", ".join(f.name for f in candidates)
            + ")",
        )


def default_registry() -> FormatRegistry:
    """Every built-in format, in detection order (most specific first)."""
    from callcoach.ingest import (
        assemblyai_json,
        conversation_jsonl,
        deepgram_json,
        plain_text,
        srt,
        webvtt,
        whisper_json,
    )

    builtin = [
        conversation_jsonl.FORMAT,
        webvtt.FORMAT,
        srt.FORMAT,
        deepgram_json.FORMAT,
        assemblyai_json.FORMAT,
        whisper_json.FORMAT,
        plain_text.FORMAT,
    ]
    return FormatRegistry(builtin)
