"""Reviews on both backends (a fresh SQLite file and a PostgreSQL schema per test): the fixture
organisation imported through the services, a pack prepared, and the scope applied in SQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from callcoach.domain.access import SYSTEM, Role, Viewer
from callcoach.services.assessment.coaching import add_coaching_event
from callcoach.services.common import NotFoundError, ServiceError
from callcoach.services.exchange.scores import import_scores
from callcoach.services.imports.crm import (
    import_activities,
    import_deals,
    import_quotas,
    import_reps,
)
from callcoach.services.imports.ratings import import_ratings
from callcoach.services.imports.transcripts import import_calls
from callcoach.services.reviews.common import scope_of
from callcoach.services.reviews.prepare import prepare_review, prepare_team_reviews
from callcoach.services.reviews.views import show_review, team_cycle
from callcoach.services.rubrics.catalog import add_rubric_file
from callcoach.settings import Settings
from callcoach.store.uow import Store

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "reviews"
AS_OF = date(2026, 6, 30)
EAST = Viewer("mia", Role.MANAGER, teams=frozenset({"East"}))
WEST = Viewer("wes", Role.MANAGER, teams=frozenset({"West"}))
ANA = Viewer("ana", Role.REP, rep="Ana Ruiz")


class Encoder:
    """Stands in for MiniLM here (the model itself is exercised by the CLI acceptance test):
    a bag of words per turn, so equal objections group together."""

    def encode(self, texts: list[str]) -> np.ndarray:
        words = sorted({w for t in texts for w in t.lower().split()})
        return np.array([[t.lower().split().count(w) for w in words] for t in texts], dtype=float)


@pytest.fixture
def org(store: Store) -> Store:
    add_rubric_file(store, FIXTURES / "rubric.yaml")
    import_reps(store, [FIXTURES / "reps.csv"])
    import_calls(store, [FIXTURES / "calls.jsonl"])
    import_deals(store, [FIXTURES / "deals.csv"])
    import_activities(store, [FIXTURES / "activities.csv"])
    import_quotas(store, [FIXTURES / "quotas.csv"])
    import_scores(store, FIXTURES / "scores.jsonl")
    import_ratings(store, [FIXTURES / "ratings.csv"])
    add_coaching_event(store, "review-test", "Ben Ode", "objection_handling", date(2026, 4, 10))
    return store


def prepare(store: Store, rep: str, viewer: Viewer = SYSTEM) -> int:
    return prepare_review(
        store,
        rep,
        rubric="review-test",
        as_of=AS_OF,
        viewer=viewer,
        settings=Settings(db=store.database.url),
        preferred_scorer="vendor",
        encoder=Encoder(),
    ).review_id


def test_a_pack_is_the_same_on_both_backends_and_scoped_in_sql(org: Store) -> None:
    review = prepare(org, "Ben Ode", EAST)
    pack = show_review(org, review, EAST).pack
    assert pack is not None
    assert pack.counts.lost_after_verbal == 1 and pack.counts.stalled == 1 and pack.counts.won == 2
    assert pack.lost is not None and pack.lost.hypothesis.verdict == "holds"
    assert pack.plan.gaps[0].criterion_id == "urgency_creation"
    assert pack.objections and pack.weights["skill"] == pytest.approx(40.0, abs=0.2)
    # Another team's manager and the other rep are told it does not exist.
    for viewer in (WEST, ANA):
        with pytest.raises(NotFoundError, match=f"no review {review}"):
            show_review(org, review, viewer)
    with org.unit_of_work() as uow:
        assert uow.reviews.full(review, scope=scope_of(uow, WEST)) is None
        assert uow.reviews.summaries(scope=scope_of(uow, WEST)) == []
    with pytest.raises(NotFoundError):
        prepare(org, "Ben Ode", WEST)


def test_a_rep_never_reads_the_draft_and_a_team_cycle_lists_who_is_missing(org: Store) -> None:
    result = prepare_team_reviews(
        org,
        "East",
        rubric="review-test",
        as_of=AS_OF,
        viewer=EAST,
        settings=Settings(db=org.database.url),
        preferred_scorer="vendor",
        encoder=Encoder(),
    )
    assert sorted(p["rep"] for p in result.prepared) == [
        "Ana Ruiz",
        "Ben Ode",
        "Cy Park",
        "Dee Hale",
    ]
    ana_review = next(int(str(p["review"])) for p in result.prepared if p["rep"] == "Ana Ruiz")
    with org.unit_of_work() as uow:
        scope = scope_of(uow, ANA)
        assert uow.reviews.summary(ana_review, scope=scope) is not None  # she knows it exists
        assert uow.reviews.full(ana_review, scope=scope) is None  # but not the draft
        assert uow.reviews.drafts(ana_review, scope=scope) == []
    view = show_review(org, ana_review, ANA)
    assert view.pack is None and view.needs_self_assessment
    cycle = team_cycle(org, "East", EAST)
    assert cycle.self_assessed == 0 and all(
        "self-assessment" in line.missing for line in cycle.lines
    )
    with pytest.raises(ServiceError, match="no data for Wu Lee"):
        prepare_review(
            org,
            "Wu Lee",
            rubric="review-test",
            as_of=date(2025, 1, 31),
            viewer=SYSTEM,
            settings=Settings(db=org.database.url),
            encoder=Encoder(),
        )
