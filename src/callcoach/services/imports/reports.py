"""What every import reports, and the loop that makes each file all-or-nothing.

Every import command (calls, deals, reps, activities, quotas, ratings, and the scoring and audio
imports built on this) reads files one at a time. A file is read whole, then written in one
transaction; any problem rejects that file whole (nothing of it is written) and the run goes on
with the next file. The report names, for each rejected file, the line (and CSV column) and
what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from callcoach.ingest.errors import ParseError
from callcoach.services.common import NoProgress, Progress, ServiceError
from callcoach.store.errors import ValueRefusedError


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
    column: str | None = None
    warnings: list[str] = field(default_factory=list)  # short, shown beside the file
    hints: list[str] = field(default_factory=list)  # what to do about them, shown once
    call_ids: list[str] = field(default_factory=list)  # calls created or updated from it

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def calls(self) -> int:
        return self.created + self.updated

    def reject(self, reason: str, line: int | None = None, column: str | None = None) -> None:
        """Nothing of a rejected file was written: its counts go back to zero."""
        self.created = self.updated = self.new_reps = 0
        self.call_ids = []
        self.warnings = []
        self.hints = []
        self.error = reason
        self.line = line
        self.column = column


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

    @property
    def new_reps(self) -> int:
        return sum(f.new_reps for f in self.files)

    @property
    def hints(self) -> list[str]:
        return list(dict.fromkeys(h for f in self.files for h in f.hints))


FileImporter = Callable[[Path, FileReport], None]


def import_each_file(
    paths: Sequence[Path],
    importer: FileImporter,
    *,
    description: str,
    progress: Progress | None = None,
) -> ImportReport:
    """Run `importer` on each file; it must write each file in one unit of work.

    ParseError (and undecodable or unreadable files) reject the file; a ServiceError raised for
    one file (an unknown rubric, say) rejects it too, with its message.
    """
    progress = progress or NoProgress()
    report = ImportReport()
    progress.start(description, len(paths))
    for path in paths:
        file_report = FileReport(path=str(path))
        report.files.append(file_report)
        try:
            if not path.exists():
                raise ParseError(path, None, "no such file")
            if path.is_dir():
                raise ParseError(path, None, "is a directory, not a file")
            importer(path, file_report)
        except ParseError as exc:
            file_report.reject(exc.reason, exc.line, exc.column)
        except UnicodeDecodeError as exc:
            file_report.reject(f"not UTF-8 text (byte {exc.start})")
        except OSError as exc:
            file_report.reject(f"cannot read file: {exc.strerror or exc}")
        except ServiceError as exc:
            file_report.reject(str(exc))
        except ValueRefusedError as exc:
            file_report.reject(str(exc))
        except RecursionError:
            file_report.reject("nested too deeply to read (more than a few hundred levels)")
        progress.advance()
    return report
