"""The one error every reader raises: it names the file, the line and the problem."""

from __future__ import annotations

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
