"""Rubric use cases: validate, add (versioned), list, show, and the bundled templates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from callcoach.domain.rubric import Rubric, RubricCheck
from callcoach.ingest.errors import ParseError
from callcoach.ingest.rubric_yaml import (
    check_rubric_file,
    check_rubric_text,
    dump_rubric,
    read_rubric_text,
)
from callcoach.services.common import NotFoundError, ServiceError
from callcoach.store.repositories.rubrics import StoredRubric
from callcoach.store.uow import Store, UnitOfWork

# Called inside the saving transaction with the parsed rubric: raises to refuse the save.
SaveGuard = Callable[[UnitOfWork, Rubric], None]

TEMPLATE_PACKAGE = "callcoach.templates"


class RubricInvalidError(ServiceError):
    def __init__(self, check: RubricCheck) -> None:
        self.check = check
        super().__init__("; ".join(check.errors))


@dataclass(frozen=True)
class AddedRubric:
    stored: StoredRubric
    is_new_version: bool
    warnings: list[str]


def template_names() -> list[str]:
    files = resources.files(TEMPLATE_PACKAGE).iterdir()
    return sorted(f.name.removesuffix(".yaml") for f in files if f.name.endswith(".yaml"))


def template_text(name: str) -> str:
    path = resources.files(TEMPLATE_PACKAGE) / f"{name}.yaml"
    if not path.is_file():
        raise NotFoundError(f"no template {name!r}; templates: {', '.join(template_names())}")
    return path.read_text(encoding="utf-8")


def validate_rubric_file(path: Path) -> RubricCheck:
    """Check a rubric file; YAML syntax errors come back as errors with their line."""
    try:
        return check_rubric_file(path)
    except ParseError as exc:
        return RubricCheck(None, errors=[str(exc)])


def add_rubric_text(
    store: Store,
    text: str,
    source: str,
    created_by: str | None = None,
    guard: SaveGuard | None = None,
) -> AddedRubric:
    """Store the rubric's text as its next version; `guard` may refuse (rubric governance)."""
    try:
        check = check_rubric_text(text, source)
    except ParseError as exc:
        raise RubricInvalidError(RubricCheck(None, errors=[str(exc)])) from exc
    if not check.ok or check.rubric is None:
        raise RubricInvalidError(check)
    with store.unit_of_work() as uow:
        if guard is not None:
            guard(uow, check.rubric)
        stored, is_new = uow.rubrics.add(check.rubric, created_by=created_by)
        if is_new:
            uow.audit.record(created_by, "rubric.version", f"{stored.rubric.id} v{stored.version}")
    return AddedRubric(stored, is_new, check.warnings)


def read_rubric_file(path: Path) -> str:
    try:
        return read_rubric_text(path)
    except ParseError as exc:
        raise RubricInvalidError(RubricCheck(None, errors=[str(exc)])) from exc


def add_rubric_file(
    store: Store, path: Path, created_by: str | None = None, guard: SaveGuard | None = None
) -> AddedRubric:
    return add_rubric_text(store, read_rubric_file(path), str(path), created_by, guard)


def install_templates(store: Store) -> list[AddedRubric]:
    """Add the bundled templates (a no-op for templates already stored unchanged)."""
    return [
        add_rubric_text(store, template_text(name), f"template {name}", created_by="callcoach")
        for name in template_names()
    ]


def list_rubrics(store: Store) -> list[tuple[StoredRubric, int]]:
    with store.unit_of_work() as uow:
        return uow.rubrics.list()


def get_rubric(store: Store, rubric_id: str, version: int | None = None) -> StoredRubric:
    with store.unit_of_work() as uow:
        stored = (
            uow.rubrics.version(rubric_id, version) if version else uow.rubrics.latest(rubric_id)
        )
        if stored is None:
            known = ", ".join(s.rubric.id for s, _ in uow.rubrics.list()) or "none yet"
            what = f"rubric {rubric_id!r}" + (f" version {version}" if version else "")
            raise NotFoundError(
                f"no {what}; rubrics: {known} (add one with `callcoach rubric add`)"
            )
        return stored


def rubric_yaml(rubric: Rubric) -> str:
    return dump_rubric(rubric.canonical())
