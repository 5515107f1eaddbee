"""Trust in a criterion's scores: how the machine agrees with this team's people.

A criterion is **trusted** when, on enough of the team's judgements, the machine's evidence meets
the organisation's bar (precision, recall, detection AUC); **learning** while there are too few
judgements to say; **not trusted** when there are enough and the bar is not met. Scores of a
criterion that is not trusted are shown, marked, and kept out of automatic decisions (coaching
priorities, 30-day verdicts, review ratings) unless a manager opts the criterion in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

# Defaults of the bar (issue 15): what a sceptical manager asks of a score before acting on it.
DEFAULT_PRECISION = 0.80
DEFAULT_RECALL = 0.70
DEFAULT_AUC = 0.85
# Minimum judgements before a state other than "learning": with 30 verdicts, 10 of each kind,
# a Wilson interval on a precision of 0.8 spans about +-0.15, narrow enough to tell 0.8 from 0.5.
DEFAULT_MIN_JUDGEMENTS = 30
DEFAULT_MIN_EACH = 10
DEFAULT_MIN_CALLS = 5  # cross-validation by call needs calls to hold out


class TrustState(StrEnum):
    TRUSTED = "trusted"
    LEARNING = "learning"
    NOT_TRUSTED = "not_trusted"

    @property
    def label(self) -> str:
        return {"trusted": "trusted", "learning": "learning", "not_trusted": "not trusted"}[
            self.value
        ]


class TrustBarError(ValueError):
    pass


@dataclass(frozen=True)
class TrustBar:
    """What a criterion must reach to be trusted, and the judgements needed to decide."""

    precision: float = DEFAULT_PRECISION
    recall: float = DEFAULT_RECALL
    auc: float = DEFAULT_AUC
    min_judgements: int = DEFAULT_MIN_JUDGEMENTS
    min_each: int = DEFAULT_MIN_EACH  # confirmed and rejected moments, each
    min_calls: int = DEFAULT_MIN_CALLS

    @classmethod
    def parse(cls, text: str) -> TrustBar:
        """'precision=0.8,recall=0.7,auc=0.85,min_judgements=30' (any subset; the rest default)."""
        values: dict[str, float | int] = {}
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            name, sep, raw = part.partition("=")
            name = name.strip()
            if not sep or name not in cls.__dataclass_fields__:
                raise TrustBarError(
                    f"trust bar: {part!r} is not NAME=VALUE with NAME one of "
                    + ", ".join(cls.__dataclass_fields__)
                )
            try:
                number = float(raw)
            except ValueError as exc:
                raise TrustBarError(f"trust bar: {name} must be a number, not {raw!r}") from exc
            if name.startswith("min_"):
                if number < 1 or number != int(number):
                    raise TrustBarError(f"trust bar: {name} must be a whole number >= 1")
                values[name] = int(number)
            else:
                if not 0.0 <= number <= 1.0:
                    raise TrustBarError(f"trust bar: {name} must be between 0 and 1")
                values[name] = number
        return cls(**values)  # type: ignore[arg-type]

    def describe(self) -> str:
        return (
            f"precision >= {self.precision:.2f}, recall >= {self.recall:.2f}, "
            f"AUC >= {self.auc:.2f}, on at least {self.min_judgements} judgements "
            f"({self.min_each} confirmed and {self.min_each} rejected) on {self.min_calls} calls"
        )


@dataclass(frozen=True)
class CriterionTrust:
    """One criterion's state, why, and whether a manager opted it into automatic decisions."""

    criterion_id: str
    state: TrustState
    reasons: list[str] = field(default_factory=list)
    opted_in: bool = False
    judgements: int = 0
    answers_needed: int | None = None  # rough estimate of the verdicts still needed

    @property
    def in_decisions(self) -> bool:
        """Whether the criterion's scores drive coaching priorities, 30-day verdicts and review
        ratings. Only a criterion measured and found wanting is held out: one still learning
        is used (and marked), so a new team is not left with no priorities at all."""
        return self.state is not TrustState.NOT_TRUSTED or self.opted_in

    @property
    def mark(self) -> str:
        """A short mark to print next to the criterion's scores ('' when trusted)."""
        if self.state is TrustState.TRUSTED:
            return ""
        if self.state is TrustState.LEARNING:
            return "learning"
        return "not trusted, opted in" if self.opted_in else "not trusted"


def excluded_from_decisions(states: dict[str, CriterionTrust]) -> frozenset[str]:
    """The criteria whose scores must not drive automatic decisions."""
    return frozenset(cid for cid, trust in states.items() if not trust.in_decisions)
