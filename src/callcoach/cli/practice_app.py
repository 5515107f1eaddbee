"""The `callcoach practice` command group: practice scenarios, sessions and review rehearsals.

Commands register on `practice_app` from their own modules (cli/rehearse.py, ...).
"""

from __future__ import annotations

import typer

from callcoach.cli.app import app

practice_app = typer.Typer(
    help="Practice: rehearse the exact moment a call went wrong, or a review before you "
    "deliver it, offline, scored with evidence and debriefed.",
    no_args_is_help=True,
)
app.add_typer(practice_app, name="practice")
