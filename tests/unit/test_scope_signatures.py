"""Every repository read of people's data requires the viewer's `Scope` (issue 13, section 3).

A public repository method either takes `scope: Scope` as a keyword-only argument without a
default (forgetting it fails mypy and fails at run time), or is listed in its class's
`UNSCOPED` with the reason it needs none (a write, a count, a name resolution for imports). A
new read that does neither fails here; tests/integration/test_scope_reads.py then proves each
scoped read keeps a rep to their own rows and a manager to their teams'.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import pytest

from callcoach.domain.access import SYSTEM, Role, Scope, Viewer
from callcoach.store import uow as uow_module

# Repositories that hold no rep's rows at all, and why (reads of them need no scope).
NO_PEOPLE_DATA = {
    "AppSettingRepository": "settings of the installation",
    "AuditRepository": "the audit log, shown to administrators only (services/accounts)",
    "BulkRepository": "bulk writes and removals of the demo and `import --replace`",
    "EmbeddingRepository": "the scorer's cache of segment vectors, read by scoring runs and by "
    "the practice reply index (which reads every call's customer turns anyway)",
    "JobRepository": "job records, filtered by owner in services/jobs/views",
    "LlmCacheRepository": "the model answer cache, keyed by prompt digest",
    "ReportCacheRepository": "cached reports, keyed by a digest that includes the scope",
    "RubricRepository": "rubric definitions: the organisation's, not a person's",
    "ScoringQueueRepository": "the queue a scoring run writes, system work",
    "UserRepository": "accounts, administered through services/accounts (admin only)",
    "WebSessionRepository": "sign-in sessions, each read by its own account (services/accounts)",
}


def repository_classes() -> list[type]:
    return [
        cls
        for name, cls in vars(uow_module).items()
        if inspect.isclass(cls) and name.endswith("Repository")
    ]


def public_methods(cls: type) -> Iterator[tuple[str, inspect.Signature]]:
    for name, member in inspect.getmembers(cls, inspect.isfunction):
        if not name.startswith("_"):
            yield name, inspect.signature(member)


def takes_scope(signature: inspect.Signature) -> bool:
    param = signature.parameters.get("scope")
    return (
        param is not None
        and param.kind is inspect.Parameter.KEYWORD_ONLY
        and param.default is inspect.Parameter.empty
        and param.annotation in ("Scope", Scope)
    )


def scoped_reads() -> set[str]:
    """Every `Repository.method` that requires a scope."""
    return {
        f"{cls.__name__}.{name}"
        for cls in repository_classes()
        for name, signature in public_methods(cls)
        if takes_scope(signature)
    }


def test_every_repository_is_classified() -> None:
    names = {cls.__name__ for cls in repository_classes()}
    assert set(NO_PEOPLE_DATA) <= names, set(NO_PEOPLE_DATA) - names
    for cls in repository_classes():
        if cls.__name__ in NO_PEOPLE_DATA:
            continue
        assert isinstance(getattr(cls, "UNSCOPED", None), dict), (
            f"{cls.__name__} holds people's data: give it UNSCOPED (even empty) and make its "
            "reads take `scope: Scope`"
        )


@pytest.mark.parametrize(
    "cls",
    [c for c in repository_classes() if c.__name__ not in NO_PEOPLE_DATA],
    ids=lambda c: c.__name__,
)
def test_every_public_method_takes_a_scope_or_says_why_not(cls: type) -> None:
    unscoped: dict[str, str] = cls.UNSCOPED  # type: ignore[attr-defined]
    methods = dict(public_methods(cls))
    stale = set(unscoped) - set(methods)
    assert not stale, f"{cls.__name__}.UNSCOPED names no method: {sorted(stale)}"
    for name, signature in methods.items():
        if name in unscoped:
            assert unscoped[name].strip(), f"{cls.__name__}.{name}: say why it needs no scope"
            assert "scope" not in signature.parameters or name == "scope_for"
            continue
        assert takes_scope(signature), (
            f"{cls.__name__}.{name} returns people's data without a required keyword-only "
            "`scope: Scope` (or add it to UNSCOPED with the reason it needs none)"
        )


def test_a_system_scope_names_its_purpose() -> None:
    scope = Scope.system("scoring run")
    assert scope.everything and scope.purpose == "scoring run" and scope.viewer == SYSTEM
    with pytest.raises(ValueError, match="purpose"):
        Scope.system("  ")


def test_a_widened_scope_keeps_its_viewer() -> None:
    rep = Viewer("ann", Role.REP, rep="ann")
    narrow = Scope(viewer=rep, rep_ids=frozenset({1}), team_ids=frozenset())
    wide = narrow.widened({1, 2, 3}, "team benchmark")
    assert wide.viewer == rep and wide.rep_ids == {1, 2, 3} and wide.purpose == "team benchmark"
    assert not wide.everything
