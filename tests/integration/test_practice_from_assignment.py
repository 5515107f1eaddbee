"""A practice scenario cut for an assignment, on the review fixture org (real SQLite and
PostgreSQL): an objection type named by the rep's own review is cut from a moment of it in the
rep's lost deals, practised, and counted towards the assignment; a criterion assignment from
the rep's weakest moment; unknown, out-of-scope and impossible assignments refused clearly."""

from __future__ import annotations

import pytest

from callcoach.domain.access import Role, Viewer
from callcoach.domain.assignments import AssignmentStatus, TargetKind
from callcoach.domain.practice import AttemptStatus
from callcoach.roleplay.encoders import HashedWordEncoder
from callcoach.scoring.registry import ScorerConfig
from callcoach.services.assignments.assign import assign, assignments_of
from callcoach.services.common import NotFoundError
from callcoach.services.practice import sessions as ops
from callcoach.services.practice.from_assignment import create_from_assignment
from callcoach.services.practice.scenarios import PracticeServiceError, list_scenarios
from callcoach.services.reviews.prepare import prepare_review
from callcoach.settings import Settings
from callcoach.store.uow import Store
from tests.integration.review_org import AS_OF, BEN, EAST, WEST, WordEncoder, build_org

ANA = Viewer("ana", Role.REP, rep="Ana Ruiz")
# Ben Ode's lost deals (tests/fixtures/reviews/deals.csv): Granite Bank and Harbor Retail.
LOST_CALLS = {f"ben-{n:02d}" for n in range(30) if n % 6 in (2, 3)}


@pytest.fixture
def org(store: Store) -> Store:
    return build_org(store)


def _settings(store: Store) -> Settings:
    return Settings(db=store.database.url, scorer="vendor")


def _objection_of_review(store: Store) -> str:
    """The largest objection type Ben's review pack found in his lost deals."""
    prepared = prepare_review(
        store,
        "Ben Ode",
        rubric="review-test",
        as_of=AS_OF,
        viewer=EAST,
        settings=_settings(store),
        preferred_scorer="vendor",
        encoder=WordEncoder(),
    )
    assert prepared.pack.objections, "the fixture's lost deals carry objections"
    return prepared.pack.objections[0].name


def _assign(store: Store, kind: TargetKind, target: str, rep: str = "Ben Ode") -> int:
    given = assign(store, rep, kind, target, rubric="review-test", sessions=1, viewer=EAST)
    assert given.id is not None
    return given.id


def test_an_objection_type_is_cut_from_the_lost_deals_and_counts_towards_the_assignment(
    org: Store,
) -> None:
    objection = _objection_of_review(org)
    assignment = _assign(org, TargetKind.OBJECTION, objection)
    scenario = create_from_assignment(
        org, assignment, viewer=BEN, settings=_settings(org), encoder=HashedWordEncoder()
    )
    assert scenario.rep == "Ben Ode" and scenario.id is not None
    assert scenario.original.call_id in LOST_CALLS
    # The moment's prospect line is the objection, word for word (it names the type).
    assert " ".join(scenario.opening_line.split()) == " ".join(objection.split())
    # The rubric's objection criterion, found by its own text; the level there was low.
    assert scenario.goal.criterion_id == "objection_handling"
    assert scenario.original.level is not None and scenario.original.level <= 2
    assert scenario.origin["from"] == "assignment"
    assert scenario.origin["assignment"] == assignment
    assert scenario.origin["objection"] == objection
    assert scenario.title.startswith("Objection “")

    kit = ops.PracticeKit.build(
        org,
        _settings(org),
        ScorerConfig("fake"),
        encoder=HashedWordEncoder(),
        use_model=False,
    )
    session = ops.start_session(org, scenario.id, BEN)
    for line in (
        "What would procurement need to see from us to move this contract quickly?",
        "Who in procurement owns the review, and when could we walk them through it?",
    ):
        ops.take_turn(kit, session.id or 0, line, BEN)
    ended = ops.end_attempt(kit, session.id or 0, BEN)
    assert ended.attempts[0].status is AttemptStatus.SCORED

    progress = [p for p in assignments_of(org, BEN) if p.assignment.id == assignment]
    assert len(progress) == 1
    assert progress[0].sessions_done == 1 and progress[0].status is AssignmentStatus.DONE
    assert progress[0].attempts[0].objection == objection


def test_a_criterion_assignment_is_cut_from_the_weakest_moment_on_it(org: Store) -> None:
    assignment = _assign(org, TargetKind.CRITERION, "urgency_creation")
    scenario = create_from_assignment(org, assignment, viewer=EAST, settings=_settings(org))
    assert scenario.goal.criterion_id == "urgency_creation"
    assert scenario.origin["from"] == "assignment" and "objection" not in scenario.origin
    assert scenario.origin["criterion"] == "urgency_creation"
    # The weakest: no call of Ben's in that cycle scored lower on the criterion.
    assert scenario.original.level == 1


def test_a_rep_and_another_teams_manager_cannot_cut_from_bens_assignment(org: Store) -> None:
    assignment = _assign(org, TargetKind.OBJECTION, _objection_of_review(org))
    for viewer in (ANA, WEST):
        with pytest.raises(NotFoundError, match=f"no practice assignment {assignment}"):
            create_from_assignment(
                org, assignment, viewer=viewer, settings=_settings(org), encoder=HashedWordEncoder()
            )
    with pytest.raises(NotFoundError, match="no practice assignment 9999"):
        create_from_assignment(org, 9999, viewer=BEN, settings=_settings(org))
    assert list_scenarios(org) == []


def test_no_lost_deal_or_no_moment_of_the_type_is_said_plainly(org: Store) -> None:
    no_lost = _assign(org, TargetKind.OBJECTION, "The price is more than we budgeted", "Dee Hale")
    with pytest.raises(PracticeServiceError, match="Dee Hale has no lost deal") as refused:
        create_from_assignment(org, no_lost, settings=_settings(org), encoder=HashedWordEncoder())
    assert "practise a criterion instead" in str(refused.value)
    assert "--criterion objection_handling" in str(refused.value)

    unheard = _assign(
        org, TargetKind.OBJECTION, "Legal will never accept storing payroll data abroad."
    )
    with pytest.raises(PracticeServiceError, match="no prospect in Ben Ode's lost deals") as no:
        create_from_assignment(org, unheard, settings=_settings(org), encoder=HashedWordEncoder())
    assert "practise a criterion instead" in str(no.value)
    assert list_scenarios(org) == []
