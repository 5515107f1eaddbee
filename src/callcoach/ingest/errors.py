"""The one error every reader raises: it names the file, the line and the problem."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path


class ParseError(Exception):
    """A file that cannot be read. Imports reject the whole file when one is raised.

    `line` is the 1-based line of the file where the problem is (None when it concerns the whole
    file); `column` names the CSV column for spreadsheet imports.
    """

    def __init__(
        self, path: Path | str, line: int | None, reason: str, column: str | None = None
    ) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        self.reason = f"column {column!r}: {reason}" if column else reason
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {self.reason}")


def read_utf8(path: Path) -> str:
    """A text file's content (UTF-8, a leading BOM dropped), lines split as Python splits them
    (\\r\\n and \\r read as \\n). Not UTF-8, or unreadable: a ParseError naming the line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(path, None, f"cannot read file: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ParseError(path, line, f"not UTF-8 text (byte {exc.start})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def utf8_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, line) of a UTF-8 text file, read as it streams (JSON Lines files
    can be large). Not UTF-8, or unreadable: a ParseError naming the line."""
    number = 0
    try:
        with path.open(encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                yield number, line
    except OSError as exc:
        raise ParseError(path, None, f"cannot read file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError:
        raise ParseError(path, number + 1, "not UTF-8 text") from None
