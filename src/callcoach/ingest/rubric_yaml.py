"""Rubric YAML files: parse, then check with the domain rules, reporting the file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from callcoach.domain.rubric import RubricCheck, check_rubric
from callcoach.ingest.errors import ParseError


def _criterion_lines(text: str) -> dict[str, int]:
    """Line of each criterion id, so errors can point into the file."""
    lines: dict[str, int] = {}
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return lines
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key, value in root.value:
        if key.value == "criteria" and isinstance(value, yaml.SequenceNode):
            for item in value.value:
                if isinstance(item, yaml.MappingNode):
                    for ckey, cval in item.value:
                        if ckey.value == "id" and isinstance(cval, yaml.ScalarNode):
                            lines[str(cval.value)] = item.start_mark.line + 1
    return lines


def load_rubric_data(text: str, source: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise ParseError(source, line, f"invalid YAML: {problem}") from exc
    except RecursionError:
        raise ParseError(source, None, "invalid YAML: nested too deeply to read") from None
    except ValueError as exc:  # an integer of more digits than Python converts (4,300)
        raise ParseError(source, None, f"invalid YAML: {str(exc).split(':')[0]}") from None


def check_rubric_text(text: str, source: str = "<rubric>") -> RubricCheck:
    """Parse and check a rubric document; errors about a criterion carry its line number."""
    data = load_rubric_data(text, source)
    result = check_rubric(data)
    if result.errors:
        lines = _criterion_lines(text)
        located = []
        for message in result.errors:
            line = next(
                (n for cid, n in lines.items() if message.startswith(f"criterion '{cid}'")), None
            )
            located.append(f"{source}:{line}: {message}" if line else f"{source}: {message}")
        result.errors = located
    return result


def read_rubric_text(path: Path) -> str:
    """A rubric file's text; unreadable or non-UTF-8 files are a ParseError naming the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(path, None, f"cannot read file: {exc.strerror or exc}") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ParseError(
            path, line, f"not UTF-8 text (byte {exc.start}); save the rubric as UTF-8"
        ) from None


def check_rubric_file(path: Path) -> RubricCheck:
    return check_rubric_text(read_rubric_text(path), str(path))


def dump_rubric(data: dict[str, Any]) -> str:
    """YAML in the documented shape, keys in the documented order."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
