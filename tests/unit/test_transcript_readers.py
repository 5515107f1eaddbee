"""Every transcript reader on realistic samples, and on broken files (which line, what problem)."""

from __future__ import annotations

from pathlib import Path

import pytest

from callcoach.domain.calls import SpeakerRole
from callcoach.ingest.errors import ParseError
from callcoach.ingest.registry import default_registry
from callcoach.ingest.transcript import ParsedCall, to_call

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"
REGISTRY = default_registry()


def read(name: str) -> tuple[str, ParsedCall]:
    path = FIXTURES / name
    fmt = REGISTRY.detect(path)
    calls = fmt.read(path)
    assert len(calls) == 1
    return fmt.name, calls[0]


def turns(call: ParsedCall) -> list[tuple[str, float | None, float | None]]:
    return [(t.speaker, t.start, t.end) for t in call.turns]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def parse_error(path: Path, format_name: str | None = None) -> ParseError:
    fmt = REGISTRY.get(format_name) if format_name else REGISTRY.detect(path)
    with pytest.raises(ParseError) as caught:
        fmt.read(path)
    return caught.value


# --- WebVTT -----------------------------------------------------------------------------------


def test_zoom_vtt_name_prefixes_multiline_cues_and_merged_turns() -> None:
    fmt, call = read("zoom-discovery.vtt")
    assert fmt == "webvtt"
    assert call.external_id == "zoom-discovery" and call.derived_id
    assert turns(call) == [
        ("Dana Ortiz", 1.14, 4.62),
        ("Sam Lee", 4.98, 9.31),
        ("Dana Ortiz", 9.7, 19.88),  # cues 3 and 4: one turn, start of first, end of last
        ("Sam Lee", 20.4, 27.96),
        ("Dana Ortiz", 28.3, 33.12),
        ("Sam Lee", 33.5, 38.94),
    ]
    assert call.turns[1].text == (
        "Sure. I've got about twenty minutes before my next meeting, so let's dive in."
    )
    assert call.turns[2].text.endswith(
        "Is it still the shared spreadsheet you mentioned on the phone?"
    )
    assert not any("Dana Ortiz:" in t.text for t in call.turns)


def test_teams_vtt_voice_tags_ids_notes_entities_and_cross_talk() -> None:
    _, call = read("teams-demo.vtt")
    assert [t.speaker for t in call.turns] == [
        "Priya Raman",
        "Marcus Webb (Acme Logistics)",
        "Priya Raman",
        "Marcus Webb (Acme Logistics)",
        "Priya Raman",
    ]
    assert call.turns[0].start == 123.48 and call.turns[0].end == 132.64
    assert call.turns[1].text.startswith("That's nice, but honestly the price is the sticking")
    # One cue with two voices becomes two turns, both within the cue's time.
    assert (call.turns[2].text, call.turns[3].text) == ("Understood.", "Sorry, go ahead.")
    assert call.turns[3].start == 139.02
    assert "NOTE" not in " ".join(t.text for t in call.turns)


def test_meet_vtt_minutes_only_timestamps_settings_style_and_markup() -> None:
    _, call = read("meet-followup.vtt")
    assert turns(call) == [
        ("Jordan Blake", 1.0, 4.5),
        ("Elena Fischer", 5.1, 9.8),
        ("Jordan Blake", 10.2, 16.05),
        ("Elena Fischer", 62.4, 66.0),
    ]
    assert call.turns[1].text == "Yes, two weeks from the day they get the redlines."
    assert "& you go live" in call.turns[2].text


def test_a_colon_in_speech_is_not_taken_for_a_speaker(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "pricing.vtt",
        "WEBVTT\n\n00:01.000 --> 00:03.000\nDana Ortiz: Here is the breakdown.\n\n"
        "00:03.500 --> 00:06.000\nPricing: it's forty dollars a seat.\n\n"
        "00:07.000 --> 00:09.000\nSam Lee: That's more than we pay now.\n",
    )
    call = REGISTRY.get("webvtt").read(path)[0]
    assert [t.speaker for t in call.turns] == ["Dana Ortiz", "Sam Lee"]
    assert call.turns[0].text == "Here is the breakdown. Pricing: it's forty dollars a seat."


def test_vtt_without_speakers_keeps_cues_apart(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "nospeakers.vtt",
        "WEBVTT\n\n00:01.000 --> 00:03.000\nHello there.\n\n00:04.000 --> 00:05.000\nHi.\n",
    )
    call = REGISTRY.get("webvtt").read(path)[0]
    assert [(t.speaker, t.text) for t in call.turns] == [
        ("Speaker", "Hello there."),
        ("Speaker", "Hi."),
    ]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("Transcript\n\n00:01.000 --> 00:02.000\nA: hi\n", 1, "first line must be 'WEBVTT'"),
        (
            "WEBVTT\n\n00:01.000 --> 00:02.000\nDana: hi\n\n\n7\n00:03.000 -> 00:04.000\nSam: yo\n",
            7,
            "expected a cue",
        ),
        (
            "WEBVTT\n\nNOTE test\n\n1\n00:01.000 --> 00:02.000\nA: hi\n\n2\n00:0x.000 --> 00:04.000\n",
            10,
            "cue start '00:0x.000' is not a time",
        ),
        (
            "WEBVTT\n\n00:05.000 --> 00:02.000\nA: hi\n",
            3,
            "cue ends (00:02.000) before it starts (00:05.000)",
        ),
        (
            "WEBVTT\n\n00:01.000 --> 00:02.000\nA: hi\n00:03.000 --> 00:04.000\nB: yo\n",
            5,
            "is a blank line missing?",
        ),
        ("WEBVTT\n00:01.000 --> 00:02.000\nA: hi\n", 2, "blank line must separate"),
    ],
)
def test_broken_vtt_names_the_line(tmp_path: Path, text: str, line: int, reason: str) -> None:
    error = parse_error(write(tmp_path, "broken.vtt", text), "webvtt")
    assert error.line == line
    assert reason in error.reason


# --- SRT --------------------------------------------------------------------------------------


def test_srt_with_name_prefixes() -> None:
    fmt, call = read("renewal-call.srt")
    assert fmt == "srt"
    assert turns(call) == [
        ("Chris Novak", 0.82, 4.16),
        ("Aisha Bello", 4.9, 8.3),
        ("Chris Novak", 8.7, 14.95),
        ("Aisha Bello", 15.4, 20.1),
        ("Chris Novak", 20.5, 23.0),
    ]
    assert call.turns[0].text == (
        "Thanks for hopping on. I wanted to talk about the renewal before your contract "
        "rolls over in March."
    )


def test_broken_srt_names_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "broken.srt",
        "1\n00:00:01,000 --> 00:00:02,000\nChris: Hi\n\n2\n00:00:03,000 --> 00:00:99,000\n"
        "Aisha: Hello\n",
    )
    error = parse_error(path)
    assert (error.line, error.reason) == (
        6,
        "cue end '00:00:99,000' is not a time (mm:ss.mmm or hh:mm:ss.mmm)",
    )
    garbage = write(
        tmp_path, "garbage.srt", "1\n00:00:01,000 --> 00:00:02,000\nHi\n\nhello\nworld\n"
    )
    error = parse_error(garbage, "srt")
    assert error.line == 5 and "expected a subtitle number" in error.reason


# --- Whisper / faster-whisper / WhisperX --------------------------------------------------------


def test_whisperx_segments_with_speakers() -> None:
    fmt, call = read("whisperx-diarized.json")
    assert fmt == "whisper-json"
    assert turns(call) == [
        ("SPEAKER_00", 0.52, 3.98),
        ("SPEAKER_01", 4.31, 6.02),
        ("SPEAKER_00", 6.4, 15.2),
        ("SPEAKER_01", 15.9, 22.45),
        ("Speaker", 22.9, 25.1),  # WhisperX could not assign this one: not guessed
    ]
    assert call.turns[0].text == "Thanks for taking my call, this is Dana from Brightline."


def test_faster_whisper_list_without_speakers_gets_one_label() -> None:
    fmt, call = read("faster-whisper-segments.json")
    assert fmt == "whisper-json"
    assert turns(call) == [("Speaker", 0.0, 4.2), ("Speaker", 4.6, 9.1)]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        (
            '{"segments": [\n  {"start": 0.0, "end": 1.0, "text": "Hi"},\n'
            '  {"start": 1.5, "text": "Hello"}\n]}\n',
            3,
            "segments[1].end: required field is missing",
        ),
        (
            '[\n {"start": 0.0, "end": 1.0, "text": "Hi"},\n {"start": 2.0, "end": 1.0,\n'
            '  "text": "Hello"}\n]\n',
            3,
            "[1]: Value error, segment ends (1.0) before it starts (2.0)",
        ),
        ('{"segments": [\n  {"start": 0.0, "end": 1.0, "text": "Hi"},\n]}\n', 3, "invalid JSON"),
    ],
)
def test_broken_whisper_json_names_the_line(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    error = parse_error(write(tmp_path, "broken.json", text), "whisper-json")
    assert error.line == line
    assert reason in error.reason


# --- Deepgram -----------------------------------------------------------------------------------


def test_deepgram_utterances() -> None:
    fmt, call = read("deepgram-utterances.json")
    assert fmt == "deepgram-json"
    assert turns(call) == [
        ("Speaker 0", 0.48, 4.1),
        ("Speaker 1", 4.6, 9.9),
        ("Speaker 0", 10.3, 16.0),
        ("Speaker 1", 16.8, 31.4),
    ]
    assert call.duration_s == 31.4
    assert call.turns[2].text == (
        "I appreciate that. Which one, if you don't mind me asking? And how is it going so far?"
    )


def test_deepgram_words_grouped_by_speaker() -> None:
    fmt, call = read("deepgram-words.json")
    assert fmt == "deepgram-json"
    assert [(t.speaker, t.text, t.start, t.end) for t in call.turns] == [
        ("Speaker 0", "What would it take to sign this quarter?", 0.3, 2.1),
        ("Speaker 1", "It depends on legal.", 2.9, 4.1),
    ]


def test_deepgram_multichannel_without_diarization_names_channels(tmp_path: Path) -> None:
    def words(*items: tuple[str, float]) -> str:
        return ",".join(f'{{"word": "{w}", "start": {s}, "end": {s + 0.3}}}' for w, s in items)

    path = write(
        tmp_path,
        "stereo.json",
        '{"metadata": {"channels": 2}, "results": {"channels": ['
        f'{{"alternatives": [{{"words": [{words(("hello", 0.1), ("there", 0.5))}]}}]}},'
        f'{{"alternatives": [{{"words": [{words(("hi", 1.2))}]}}]}}]}}}}',
    )
    call = REGISTRY.detect(path).read(path)[0]
    assert [(t.speaker, t.text) for t in call.turns] == [
        ("Channel 0", "hello there"),
        ("Channel 1", "hi"),
    ]


def test_broken_deepgram_names_the_utterance_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "broken.json",
        '{"results": {\n  "channels": [],\n  "utterances": [\n'
        '    {"start": 0.1, "end": 1.0, "speaker": 0, "transcript": "Hi"},\n'
        '    {"start": 1.2, "end": 2.0, "speaker": 1}\n  ]\n}}\n',
    )
    error = parse_error(path)
    assert error.line == 5
    assert error.reason == "results.utterances[1].transcript: required field is missing"


# --- AssemblyAI ---------------------------------------------------------------------------------


def test_assemblyai_utterances_in_milliseconds() -> None:
    fmt, call = read("assemblyai-negotiation.json")
    assert fmt == "assemblyai-json"
    assert turns(call) == [
        ("Speaker A", 1.2, 5.48),
        ("Speaker B", 6.01, 12.95),
        ("Speaker A", 13.4, 17.22),
        ("Speaker B", 17.8, 21.3),
    ]
    assert call.duration_s == 42


def test_assemblyai_rep_speaker_by_letter() -> None:
    _, call = read("assemblyai-negotiation.json")
    domain_call = to_call(call, roster=[], rep_speaker="B")
    assert [s.role for s in domain_call.segments] == [
        SpeakerRole.PROSPECT,
        SpeakerRole.REP,
        SpeakerRole.PROSPECT,
        SpeakerRole.REP,
    ]


def test_broken_assemblyai(tmp_path: Path) -> None:
    failed = write(
        tmp_path, "failed.json", '{"id": "x", "status": "error", "error": "audio too short"}'
    )
    error = parse_error(failed, "assemblyai-json")
    assert error.reason == "transcript status is 'error': audio too short"
    path = write(
        tmp_path,
        "broken.json",
        '{"status": "completed",\n "utterances": [\n'
        '  {"speaker": "A", "start": 0, "end": 900, "text": "Hi"},\n'
        '  {"speaker": "B", "start": "soon", "end": 1900, "text": "Hello"}\n ]}\n',
    )
    error = parse_error(path)
    assert error.line == 4 and error.reason.startswith("utterances[1].start:")


# --- plain text ---------------------------------------------------------------------------------


def test_plain_text_turns_continuations_and_hours() -> None:
    fmt, call = read("closing-call.txt")
    assert fmt == "text"
    assert turns(call) == [
        ("Dana Ortiz", 3.0, 7.0),
        ("Sam Lee", 7.0, 12.0),
        ("Dana Ortiz", 12.0, 31.0),
        ("Sam Lee", 31.0, 62.0),  # two consecutive lines of Sam: one turn
        ("Dana Ortiz", 62.0, 75.0),
        ("Sam Lee", 75.0, None),
    ]
    assert call.turns[2].text == (
        "Last week you said the CFO wanted numbers before signing. "
        "Did the ROI summary answer her questions?"
    )


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("Call with Acme\n[00:01] Dana: Hi\n", 1, "a line without a timestamp"),
        ("[00:01] Dana: Hi\n\n[00:05] no speaker here\n", 3, "no 'Speaker:' found"),
        ("[00:01] Dana: Hi\n[00:1x] Sam: Hello\n", 2, "[00:1x] is not a time"),
        ("[00:10] Dana: Hi\n[00:05] Sam: Hello\n", 2, "earlier than the turn before it"),
    ],
)
def test_broken_text_names_the_line(tmp_path: Path, text: str, line: int, reason: str) -> None:
    error = parse_error(write(tmp_path, "broken.txt", text), "text")
    assert error.line == line
    assert reason in error.reason


# --- detection ----------------------------------------------------------------------------------


def test_content_wins_over_the_extension(tmp_path: Path) -> None:
    vtt_in_txt = write(tmp_path, "export.txt", (FIXTURES / "zoom-discovery.vtt").read_text())
    assert REGISTRY.detect(vtt_in_txt).name == "webvtt"


def test_extension_decides_when_content_cannot(tmp_path: Path) -> None:
    unnumbered = write(tmp_path, "call.srt", "00:00:01,000 --> 00:00:02,000\nDana Ortiz: Hi\n")
    assert REGISTRY.detect(unnumbered).name == "srt"


def test_unrecognised_json_asks_for_format(tmp_path: Path) -> None:
    path = write(tmp_path, "call.json", '{"transcript": "hello"}')
    with pytest.raises(ParseError) as caught:
        REGISTRY.detect(path)
    assert "pass --format" in caught.value.reason
    assert "deepgram-json" in caught.value.reason and "text" not in caught.value.reason


def test_every_fixture_is_detected_by_content(tmp_path: Path) -> None:
    """Renamed to .dat, each sample is still recognised: sniffing, not the extension."""
    for sample in FIXTURES.iterdir():
        copy = write(tmp_path, sample.stem + ".dat", sample.read_text())
        assert REGISTRY.detect(copy).name == REGISTRY.detect(sample).name, sample.name
