"""JSON documents that can say on which line a value sits, so errors point into the file.

Parsing uses the fast C decoder. Only when a reader reports a problem at some path inside the
document (`("results", "utterances", 3, "start")`) is the text parsed again with the pure-Python
scanner, which records where every object and array starts; the line of the deepest container on
that path is the line reported.
"""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from callcoach.ingest.errors import ParseError, read_utf8

JsonPath = Sequence[str | int]

# The pure-Python parts of the standard decoder (not in the type stubs, stable since 2.6).
_JSON_OBJECT: Any = vars(json.decoder)["JSONObject"]
_JSON_ARRAY: Any = vars(json.decoder)["JSONArray"]
_PY_MAKE_SCANNER: Any = vars(json.scanner)["py_make_scanner"]


class _PositionDecoder(json.JSONDecoder):
    """A decoder that remembers the offset at which each object and array starts."""

    def __init__(self) -> None:
        super().__init__()
        self.offsets: dict[int, int] = {}

        def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
            value, end = _JSON_OBJECT(s_and_end, *args)
            self.offsets[id(value)] = s_and_end[1] - 1
            return value, end

        def parse_array(s_and_end: tuple[str, int], *args: Any) -> tuple[Any, int]:
            value, end = _JSON_ARRAY(s_and_end, *args)
            self.offsets[id(value)] = s_and_end[1] - 1
            return value, end

        self.parse_object = parse_object
        self.parse_array = parse_array
        self.scan_once = _PY_MAKE_SCANNER(self)


@dataclass
class JsonDocument:
    path: Path
    text: str
    data: Any
    _positioned: tuple[Any, dict[int, int]] | None = field(default=None, repr=False)

    def line_at(self, where: JsonPath) -> int:
        """Line of the deepest object or array on `where` (1 when nothing more precise is known)."""
        if self._positioned is None:
            decoder = _PositionDecoder()
            try:
                self._positioned = (decoder.decode(self.text), decoder.offsets)
            except RecursionError:  # the pure-Python scanner recurses deeper than the C one
                return 1
        node, offsets = self._positioned
        offset = offsets.get(id(node), 0)
        for key in where:
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                break
            if id(node) in offsets and isinstance(node, dict | list):
                offset = offsets[id(node)]
        return self.text.count("\n", 0, offset) + 1

    def error(self, where: JsonPath, reason: str) -> ParseError:
        return ParseError(self.path, self.line_at(where), reason)

    def validation_error(self, exc: ValidationError, prefix: JsonPath = ()) -> ParseError:
        """The first problem pydantic found, located in the file and named by its JSON path."""
        first = exc.errors()[0]
        loc = [*prefix, *first["loc"]]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
        message = first["msg"]
        if first["type"] == "missing":
            message = "required field is missing"
        return ParseError(self.path, self.line_at(loc), f"{where}: {message}" if where else message)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NotFiniteError(text)
    return value


def _no_constant(name: str) -> Any:
    raise _NotFiniteError(name)


class _NotFiniteError(ValueError):
    pass


def parse_json(path: Path | str, text: str, line: int | None = None) -> Any:
    """Parse JSON text (a whole file, or one line of a JSON Lines file at `line`).

    Refused with a ParseError naming the line: syntax errors; NaN, Infinity and numbers too
    large for a float (JSON has none of them, Python's decoder accepts them, and one NaN timestamp
    or weight poisons every figure computed from it); integers of thousands of digits; nesting
    deeper than the decoder's recursion limit (which would otherwise stop a whole multi-file
    import with a RecursionError).
    """
    try:
        return json.loads(text, parse_float=_finite, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        where = exc.lineno if line is None else line
        raise ParseError(path, where, f"invalid JSON: {exc.msg} (column {exc.colno})") from exc
    except _NotFiniteError as exc:
        raise ParseError(
            path, line, f"invalid JSON: {exc.args[0]!r} is not a finite number"
        ) from None
    except RecursionError:
        raise ParseError(path, line, "invalid JSON: nested too deeply to read") from None
    except ValueError:  # an integer of more digits than Python converts (4,300)
        raise ParseError(path, line, "invalid JSON: a number with thousands of digits") from None


def load_json(path: Path) -> JsonDocument:
    """Read and parse a JSON file; a syntax error names its line and column."""
    text = read_utf8(path)
    return JsonDocument(path=path, text=text, data=parse_json(path, text))


def looks_like_json(head: str) -> bool:
    stripped = head.lstrip()
    return stripped.startswith(("{", "["))
