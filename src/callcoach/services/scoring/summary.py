"""What a scoring run reports: what was scored, what could not be and why, and how fast."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CallNote:
    """One call and why it was not scored (not scorable, or failed)."""

    call_id: str
    reason: str
    stored: bool = False  # failures the scorer reported are stored; crashes are not


def reason_kind(reason: str) -> str:
    """The reason without its call-specific details ("too short to judge: 3 turns" -> kind)."""
    return reason.split(":", 1)[0].strip()


def group_by_reason(notes: list[CallNote]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for note in notes:
        groups.setdefault(reason_kind(note.reason), []).append(note.call_id)
    return dict(sorted(groups.items(), key=lambda item: -len(item[1])))


@dataclass
class ScoringSummary:
    rubric_id: str
    rubric_version: int
    scorer: str
    scorer_version: str
    selected: int = 0  # calls matching the filters
    already_done: int = 0  # skipped: scored (or not scorable) before, and no --rescore
    scored: int = 0
    not_scorable: list[CallNote] = field(default_factory=list)
    failures: list[CallNote] = field(default_factory=list)
    seconds: float = 0.0
    mode: str = "in-process"  # or "processes" / "threads"
    workers: int = 1
    worker_pids: set[int] = field(default_factory=set)
    embeddings_computed: int = 0
    embeddings_reused: int = 0
    evidence_dropped: int = 0  # quotes not verbatim in their segment, removed before storing
    counters: dict[str, int] = field(default_factory=dict)  # scorer statistics (LLM requests...)
    stopped: str | None = None  # why the run ended before every call was attempted
    interrupted: bool = False

    @property
    def attempted(self) -> int:
        return self.scored + len(self.not_scorable) + len(self.failures)

    @property
    def remaining(self) -> int:
        """Calls this run was asked to do but did not reach (interrupted or stopped)."""
        return max(0, self.selected - self.already_done - self.attempted)

    @property
    def calls_per_second(self) -> float:
        return self.attempted / self.seconds if self.seconds > 0 else 0.0

    @property
    def quotes_rejected(self) -> int:
        return self.counters.get("quotes_rejected", 0)

    def add_counters(self, stats: dict[str, int]) -> None:
        for key, value in stats.items():
            self.counters[key] = self.counters.get(key, 0) + int(value)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rubric": self.rubric_id,
            "rubric_version": self.rubric_version,
            "scorer": self.scorer,
            "scorer_version": self.scorer_version,
            "selected": self.selected,
            "already_done": self.already_done,
            "scored": self.scored,
            "not_scorable": len(self.not_scorable),
            "not_scorable_by_reason": group_by_reason(self.not_scorable),
            "failed": len(self.failures),
            "failures": [
                {"call_id": n.call_id, "reason": n.reason, "stored": n.stored}
                for n in self.failures
            ],
            "remaining": self.remaining,
            "seconds": round(self.seconds, 3),
            "calls_per_second": round(self.calls_per_second, 3),
            "mode": self.mode,
            "workers": self.workers,
            "embeddings_computed": self.embeddings_computed,
            "embeddings_reused": self.embeddings_reused,
            "quotes_rejected": self.quotes_rejected,
            "evidence_dropped": self.evidence_dropped,
            "counters": dict(sorted(self.counters.items())),
            "stopped": self.stopped,
            "interrupted": self.interrupted,
        }
