"""Docs that tests keep honest: every command and every setting is documented."""

from __future__ import annotations

import re
from pathlib import Path

from callcoach.cli import app
from callcoach.cli.reference import command_paths, render
from callcoach.settings import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_cli_reference_is_generated_from_the_commands() -> None:
    committed = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert committed == render(app), "docs/cli.md is stale: run `make docs`"


def test_every_command_is_explained_in_the_user_docs() -> None:
    """Beyond the generated reference, each command appears in a hand-written page."""
    prose = "\n".join(
        p.read_text(encoding="utf-8") for p in DOCS.glob("*.md") if p.name != "cli.md"
    )
    readme = (DOCS.parent / "README.md").read_text(encoding="utf-8")
    undocumented = [
        path
        for path in command_paths(app)
        if path != "callcoach"
        and not any(f"`{path}" in text or f"{path} " in text for text in (prose, readme))
        and not any(sub.startswith(path + " ") for sub in command_paths(app))
    ]
    assert not undocumented, f"commands missing from docs/: {undocumented}"


def test_every_setting_is_documented() -> None:
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"CALLCOACH_[A-Z_]+", text))
    expected = {f"CALLCOACH_{name.upper()}" for name in Settings.model_fields}
    assert expected <= documented, (
        f"settings missing from docs/configuration.md: {expected - documented}"
    )
