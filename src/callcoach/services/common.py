"""What every service shares: progress reporting and user-facing errors."""

from __future__ import annotations

from typing import Protocol


class ServiceError(Exception):
    """A problem the user can fix; the message says how."""


class NotFoundError(ServiceError):
    """Unknown, or not visible to the asking user (the two are indistinguishable on purpose)."""


class Progress(Protocol):
    """How long work reports progress; the CLI passes a Rich bar, the web app a job record."""

    def start(self, description: str, total: int | None) -> None: ...

    def advance(self, amount: int = 1) -> None: ...


class NoProgress:
    def start(self, description: str, total: int | None) -> None:
        return None

    def advance(self, amount: int = 1) -> None:
        return None
