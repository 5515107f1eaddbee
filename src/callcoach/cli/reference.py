"""Generate docs/cli.md from the commands themselves, so the reference cannot drift.

Run `python -m callcoach.cli.reference > docs/cli.md` (or `make docs`); a test fails when the
committed file differs from what this prints.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import typer


def _is_group(command: Any) -> bool:
    return hasattr(command, "list_commands")


def walk(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield path, command
    if _is_group(command):
        ctx = typer.Context(command)
        for name in sorted(command.list_commands(ctx)):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from walk(sub, [*path, name])


def _param_row(param: Any) -> str:
    if param.param_type_name == "option":
        names = ", ".join(f"`{o}`" for o in [*param.opts, *param.secondary_opts])
        help_text = (param.help or "").replace("|", "\\|").replace("\n", " ")
        default = param.default
        if param.is_flag or default is None or callable(default) or default == ():
            shown = ""
        else:
            shown = f" (default: `{getattr(default, 'value', default)}`)"
        return f"| {names} | {help_text}{shown} |"
    help_text = (getattr(param, "help", "") or "").replace("|", "\\|")
    return f"| `{(param.metavar or param.name or '').upper()}` | {help_text} |"


def render(app: typer.Typer) -> str:
    root = typer.main.get_command(app)
    lines = [
        "# Command reference",
        "",
        "Generated from the commands' own help by `python -m callcoach.cli.reference`;",
        "a test fails when this file and the commands disagree.",
        "",
    ]
    for path, command in walk(root, ["callcoach"]):
        ctx = typer.Context(command, info_name=" ".join(path))
        lines.append(f"## {' '.join(path)}")
        lines.append("")
        if command.help:
            lines.append(command.help.strip().split("\n\n")[0].replace("\n", " "))
            lines.append("")
        pieces = " ".join(command.collect_usage_pieces(ctx))
        lines.append(f"```\n{' '.join(path)} {pieces}\n```")
        lines.append("")
        params = [p for p in command.params if not getattr(p, "hidden", False) and p.name != "help"]
        if params and not _is_group(command):
            lines.append("| option | meaning |")
            lines.append("|---|---|")
            lines.extend(_param_row(p) for p in params)
            lines.append("")
        elif _is_group(command) and path != ["callcoach"]:
            subs = sorted(command.list_commands(ctx))
            lines.append("Commands: " + ", ".join(f"`{' '.join([*path, s])}`" for s in subs))
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def command_paths(app: typer.Typer) -> list[str]:
    root = typer.main.get_command(app)
    return [" ".join(path) for path, _ in walk(root, ["callcoach"])]


if __name__ == "__main__":
    from callcoach.cli import app as cli_app

    sys.stdout.write(render(cli_app))
