"""Property: every parser either reads a file or refuses it with a ParseError (issue 14).

Hypothesis writes hostile but realistic files for each reader: random bytes and text, and
documents shaped like the format with wrong types, NaN and infinite numbers, huge integers,
deep nesting, NUL characters, stray quotes and separators. Whatever the file, the reader returns
its calls (which then pass the import's own checks, `check_call`) or raises ParseError; any other
exception is a bug. The service-level importers are covered in
tests/integration/test_importers_property.py.

Runtime stays modest: a bounded number of examples per reader, no deadline (the machine is
shared), and a fixed seed so `make test` explores the same inputs every run (no flakiness).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callcoach.ingest.audio import read_diarization
from callcoach.ingest.crm_csv import read_activities, read_deals, read_quotas, read_reps
from callcoach.ingest.errors import ParseError
from callcoach.ingest.manifest import read_manifest
from callcoach.ingest.ratings_file import read_ratings
from callcoach.ingest.registry import default_registry
from callcoach.ingest.rubric_yaml import check_rubric_file
from callcoach.ingest.scores_jsonl import read_score_lines
from callcoach.ingest.transcript import check_call

EXAMPLES = 60
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# -- building blocks ------------------------------------------------------------------------------

WORDS = st.sampled_from(
    [
        "Dana",
        "Sam",
        "price",
        "Thursday?",
        "ok",
        "",
        " ",
        "\u00e9t\u00e9",
        "\u0000",
        '"',
        "'",
        ",",
        ";",
        "\t",
        "\n",
        "\r\n",
        "-->",
        "[00:01]",
        "<v Dana>",
        "NaN",
        "1e400",
        "\ufeff",
        "\u2028",
    ]
)
TEXT = st.lists(WORDS | st.text(max_size=12), max_size=12).map(" ".join)
NUMBER_TEXT = st.sampled_from(
    [
        "0",
        "1.5",
        "-3",
        "NaN",
        "Infinity",
        "-Infinity",
        "1e400",
        "1" + "0" * 30,
        "1" + "0" * 5000,
        "3.0",
        "true",
        "null",
        '"7"',
        "[]",
        "{}",
    ]
)
SCALAR_JSON = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
)
JSON_VALUE = st.recursive(
    SCALAR_JSON,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@st.composite
def json_document(draw: st.DrawFn, fields: dict[str, st.SearchStrategy[Any]]) -> str:
    """An object of the format's fields, each a plausible value or any JSON value; sometimes a
    raw number literal (NaN, 1e400, a 5,000-digit integer) or deep nesting spliced in."""
    doc = {name: draw(strategy | JSON_VALUE) for name, strategy in fields.items()}
    text = json.dumps(doc, allow_nan=True)
    splice = draw(st.sampled_from(["none", "number", "nesting", "truncate"]))
    if splice == "number":
        text = text.replace("0", draw(NUMBER_TEXT), 1)
    elif splice == "nesting":
        text = text[:-1] + f', "deep": {nested(draw(st.sampled_from([10, 900, 5_000])))}}}'
    elif splice == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    return text


TIMES = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-5, 10**30)
SEGMENT = st.fixed_dictionaries(
    {"start": TIMES, "end": TIMES, "text": TEXT},
    optional={"speaker": TEXT | st.integers(), "words": JSON_VALUE},
)
TURN = st.fixed_dictionaries(
    {"speaker": TEXT, "text": TEXT}, optional={"start": TIMES, "end": TIMES}
)


def lines_of(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(strategy, min_size=1, max_size=6).map("\n".join)


TRANSCRIPTS: dict[str, st.SearchStrategy[str]] = {
    "webvtt": lines_of(
        st.sampled_from(["WEBVTT", "", "NOTE x", "00:00:01.000 --> 00:00:02.500", "1"])
        | st.builds(lambda a, b: f"{a} --> {b}", NUMBER_TEXT | TEXT, NUMBER_TEXT | TEXT)
        | st.builds(lambda s, t: f"<v {s}>{t}", TEXT, TEXT)
        | TEXT
    ).map(lambda body: "WEBVTT\n\n" + body),
    "srt": lines_of(
        st.sampled_from(["1", "2", "", "00:00:01,000 --> 00:00:02,000"])
        | st.builds(lambda a, b: f"{a} --> {b}", TEXT, TEXT)
        | st.builds(lambda s, t: f"{s}: {t}", TEXT, TEXT)
    ),
    "text": lines_of(
        st.builds(lambda c, s, t: f"[{c}] {s}: {t}", NUMBER_TEXT | TEXT, TEXT, TEXT) | TEXT
    ),
    "whisper-json": json_document(
        {"segments": st.lists(SEGMENT, max_size=4), "duration": TIMES, "language": TEXT}
    ),
    "conversation-jsonl": lines_of(
        json_document(
            {
                "call_id": TEXT,
                "turns": st.lists(TURN, max_size=4),
                "rep_speaker": TEXT,
                "duration_s": TIMES,
                "outcome": JSON_VALUE,
                "date": TEXT,
            }
        )
    ),
    "deepgram-json": json_document(
        {
            "results": st.fixed_dictionaries(
                {"utterances": st.lists(SEGMENT | JSON_VALUE, max_size=3)},
                optional={"channels": JSON_VALUE},
            ),
            "metadata": JSON_VALUE,
        }
    ),
    "assemblyai-json": json_document(
        {"utterances": st.lists(SEGMENT | JSON_VALUE, max_size=3), "text": TEXT, "id": TEXT}
    ),
}
EXTENSIONS = {
    "webvtt": ".vtt",
    "srt": ".srt",
    "text": ".txt",
    "whisper-json": ".json",
    "conversation-jsonl": ".jsonl",
    "deepgram-json": ".json",
    "assemblyai-json": ".json",
}


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8", errors="surrogatepass"))
    return path


def reads_or_refuses(read: Callable[[Path], Any], path: Path) -> Any:
    """The property: a result, or a ParseError naming this file. Anything else fails the test."""
    try:
        return read(path)
    except ParseError as exc:
        assert exc.path == str(path)
        assert exc.reason
        return None


def test_every_format_has_a_strategy() -> None:
    assert set(default_registry().names) == set(TRANSCRIPTS)


# -- transcripts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TRANSCRIPTS))
@PROPERTY
@given(data=st.data())
def test_each_transcript_reader_reads_or_refuses(tmp_path: Path, name: str, data: Any) -> None:
    content = data.draw(TRANSCRIPTS[name] | st.binary(max_size=300) | TEXT, label="file")
    path = write(tmp_path / f"call{EXTENSIONS[name]}", content)
    fmt = default_registry().get(name)

    def read_and_check(p: Path) -> Any:
        calls = fmt.read(p)
        for call in calls:
            check_call(call)
        return calls

    reads_or_refuses(read_and_check, path)


@PROPERTY
@given(content=st.one_of(*TRANSCRIPTS.values(), st.binary(max_size=300)))
def test_format_detection_picks_a_format_or_refuses(tmp_path: Path, content: str | bytes) -> None:
    registry = default_registry()
    for extension in (".json", ".txt", ".dat"):
        path = write(tmp_path / f"call{extension}", content)
        fmt = reads_or_refuses(registry.detect, path)
        if fmt is not None:
            reads_or_refuses(fmt.read, path)


# -- CSV and JSON Lines imports -------------------------------------------------------------------

CELL = (
    TEXT
    | NUMBER_TEXT
    | st.sampled_from(
        [
            "2026-03-14",
            "3/14/2026",
            "14.03.2026",
            "$12,500.00",
            "Closed Won",
            "Q1 2026",
            "dana@brightline.io",
            '"unterminated',
            'a,"b"c',
            "1e400",
            "99999999999999999999",
        ]
    )
)


@st.composite
def csv_file(draw: st.DrawFn, headers: list[str]) -> str:
    columns = draw(st.lists(st.sampled_from(headers) | TEXT, min_size=1, max_size=6))
    separator = draw(st.sampled_from([",", ";", "\t"]))
    rows = draw(st.lists(st.lists(CELL, max_size=len(columns) + 1), max_size=5))

    def line(cells: list[str]) -> str:
        quoted = draw(st.booleans())
        return separator.join('"' + c.replace('"', '""') + '"' if quoted else c for c in cells)

    return "\n".join([line(columns), *(line(r) for r in rows)]) + draw(st.sampled_from(["", "\n"]))


CSV_READERS: dict[str, tuple[Callable[[Path], Any], list[str]]] = {
    "deals": (read_deals, ["deal_id", "Opportunity ID", "amount", "stage", "close_date", "rep"]),
    "reps": (read_reps, ["name", "email", "team", "manager", "start_date", "first_name"]),
    "activities": (read_activities, ["rep", "date", "calls", "meetings", "Activity Type"]),
    "quotas": (read_quotas, ["rep", "period", "quota", "amount", "start", "end"]),
    "manifest": (read_manifest, ["file", "call_id", "rep", "date", "rep_speaker"]),
    "ratings": (
        lambda p: read_ratings(p),
        ["call_id", "rater", "criterion_id", "level", "evidence_segment"],
    ),
}


@pytest.mark.parametrize("name", sorted(CSV_READERS))
@PROPERTY
@given(data=st.data())
def test_each_csv_reader_reads_or_refuses(tmp_path: Path, name: str, data: Any) -> None:
    read, headers = CSV_READERS[name]
    content = data.draw(csv_file(headers) | st.binary(max_size=200), label="file")
    reads_or_refuses(read, write(tmp_path / f"{name}.csv", content))


@PROPERTY
@given(
    content=lines_of(
        json_document(
            {
                "call_id": TEXT,
                "rubric_id": TEXT,
                "rubric_version": JSON_VALUE,
                "scorer": TEXT,
                "criteria": st.lists(
                    st.fixed_dictionaries(
                        {"id": TEXT, "level": JSON_VALUE, "evidence": JSON_VALUE}
                    ),
                    max_size=2,
                ),
            }
        )
    )
    | st.binary(max_size=200)
)
def test_score_and_rating_lines_read_or_refuse(tmp_path: Path, content: str | bytes) -> None:
    reads_or_refuses(lambda p: list(read_score_lines(p)), write(tmp_path / "scores.jsonl", content))
    reads_or_refuses(read_ratings, write(tmp_path / "ratings.jsonl", content))


@PROPERTY
@given(
    content=json_document({"segments": st.lists(TURN | SEGMENT, max_size=3)})
    | lines_of(st.builds(lambda *cells: " ".join(map(str, cells)), TEXT, TEXT, NUMBER_TEXT))
    | st.binary(max_size=200)
)
def test_diarization_files_read_or_refuse(tmp_path: Path, content: str | bytes) -> None:
    reads_or_refuses(read_diarization, write(tmp_path / "speakers.rttm", content))


# -- rubrics --------------------------------------------------------------------------------------

YAML_SCALAR = st.sampled_from(
    [
        ".nan",
        ".inf",
        "-.inf",
        "1e400",
        "1" + "0" * 5000,
        "100",
        "50",
        "0",
        "-5",
        "true",
        "null",
        "'text'",
        "[]",
        "{}",
        "&a [*a]",
        "!!python/object:os.system x",
    ]
)


@PROPERTY
@given(
    weights=st.lists(YAML_SCALAR, min_size=1, max_size=3),
    anchor=YAML_SCALAR | TEXT,
    depth=st.sampled_from([0, 5, 900, 3_000]),
    raw=st.binary(max_size=200),
)
def test_rubric_files_check_or_refuse(
    tmp_path: Path, weights: list[str], anchor: str, depth: int, raw: bytes
) -> None:
    criteria = "".join(
        f"  - id: c{n}\n    name: C{n}\n    description: d\n    weight: {w}\n"
        f"    anchors: {{1: {json.dumps(anchor)}, 2: b, 3: c, 4: d, 5: e}}\n"
        for n, w in enumerate(weights)
    )
    text = f"id: r\nname: R\ncriteria:\n{criteria}extra: {nested(depth)}\n"
    for content in (text, raw):
        path = write(tmp_path / "rubric.yaml", content)
        check = reads_or_refuses(check_rubric_file, path)
        if check is not None and check.rubric is not None:
            for criterion in check.rubric.criteria:
                assert 0 < criterion.weight <= 100
