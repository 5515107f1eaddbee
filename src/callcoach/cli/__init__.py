"""The `callcoach` command. Each module registers its commands on the one Typer app."""

from __future__ import annotations

import sys

from callcoach.cli import (  # noqa: F401  (importing a module registers its commands)
    analytics,
    audio,
    calibration,
    demo,
    exports,
    imports,
    jobs,
    reviews,
    rubrics,
    scorer,
    scorer_teach,
    scorer_trust,
    scoring,
    setup,
    users,
    web,
)
from callcoach.cli.app import app

__all__ = ["app", "main"]
from callcoach.cli.output import err_console
from callcoach.services.common import ServiceError
from callcoach.store.errors import StoreError


def main() -> None:
    try:
        app()
    except (ServiceError, StoreError) as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(1)
