"""The one error every reader raises: it names the file, the line and the problem."""

from __future__ import annotations

from pathlib import Path


class ParseError(Exception):
    """A file that cannot be read. Imports reject the whole file when one is raised."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {reason}")
