"""The review fixture organisation (tests/fixtures/reviews), imported through the services, with
one prepared review: shared by the rehearsal and assignment tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from callcoach.domain.access import SYSTEM, Role, Viewer
from callcoach.roleplay.encoders import HashedWordEncoder
from callcoach.services.assessment.coaching import add_coaching_event
from callcoach.services.exchange.scores import import_scores
from callcoach.services.imports.crm import (
    import_activities,
    import_deals,
    import_quotas,
    import_reps,
)
from callcoach.services.imports.ratings import import_ratings
from callcoach.services.imports.transcripts import import_calls
from callcoach.services.reviews.prepare import prepare_review
from callcoach.services.rubrics.catalog import add_rubric_file
from callcoach.settings import Settings
from callcoach.store.uow import Store

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "reviews"
AS_OF = date(2026, 6, 30)
EAST = Viewer("mia", Role.MANAGER, teams=frozenset({"East"}))
EAST_TOO = Viewer("max", Role.MANAGER, teams=frozenset({"East"}))  # another East manager
WEST = Viewer("wes", Role.MANAGER, teams=frozenset({"West"}))
BEN = Viewer("ben", Role.REP, rep="Ben Ode")
ADMIN = Viewer("root", Role.ADMIN)


class WordEncoder:
    """The review pack's encoder port (`encode`) over the hashed-word encoder."""

    def encode(self, texts: list[str]):  # type: ignore[no-untyped-def]
        return HashedWordEncoder()(texts)


def build_org(store: Store) -> Store:
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


def prepare(store: Store, rep: str = "Ben Ode", viewer: Viewer = SYSTEM) -> int:
    return prepare_review(
        store,
        rep,
        rubric="review-test",
        as_of=AS_OF,
        viewer=viewer,
        settings=Settings(db=store.database.url),
        preferred_scorer="vendor",
        encoder=WordEncoder(),
    ).review_id
