"""The pure rules of audio import: who said a word, where turns end, what a speakers file says."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from callcoach.ingest.audio import (
    SAMPLE_RATE,
    SpeakerTurn,
    TimedWord,
    assign_speakers,
    drop_crosstalk,
    label_words,
    merge_tracks,
    read_diarization,
    to_turns,
)
from callcoach.ingest.errors import ParseError
from callcoach.services.jobs.runner import backoff_seconds


def words(*spans: tuple[str, float, float]) -> list[TimedWord]:
    return [TimedWord(f" {text}", start, end) for text, start, end in spans]


def test_channels_merge_by_time_and_a_backchannel_does_not_split_a_sentence() -> None:
    rep = label_words(
        words(("So", 0.0, 0.3), ("what", 0.3, 0.6), ("matters", 0.6, 1.2), ("most?", 1.2, 1.8)),
        "Rep",
    )
    prospect = label_words(
        words(("mm-hmm", 0.7, 0.9), ("Price", 2.5, 2.9), ("does.", 2.9, 3.3)), "Prospect"
    )
    turns = to_turns(merge_tracks([rep, prospect]))
    # The rep's question stays whole; the "mm-hmm" said over it opens the prospect's turn.
    assert [(t.speaker, t.text, t.start, t.end) for t in turns] == [
        ("Rep", "So what matters most?", 0.0, 1.8),
        ("Prospect", "mm-hmm Price does.", 0.7, 3.3),
    ]


def test_a_long_pause_of_one_speaker_stays_one_turn_when_no_one_else_speaks() -> None:
    rep = label_words(words(("Hello.", 0.0, 0.5), ("Anyone", 4.0, 4.4), ("there?", 4.4, 4.8)), "R")
    turns = to_turns(merge_tracks([rep]))
    assert [(t.text, t.start, t.end) for t in turns] == [("Hello. Anyone there?", 0.0, 4.8)]


def test_words_go_to_the_speaker_whose_turn_overlaps_them_most() -> None:
    turns = [SpeakerTurn("A", 0.0, 2.0), SpeakerTurn("B", 1.9, 4.0), SpeakerTurn("A", 6.0, 7.0)]
    heard = words(
        ("one", 0.5, 0.9),
        ("two", 1.8, 2.4),  # mostly inside B's turn
        ("three", 4.3, 4.6),  # just after B's turn: nearest
        ("four", 9.0, 9.5),  # far from every turn
    )
    assert [w.speaker for w in assign_speakers(heard, turns)] == ["A", "B", "B", "unknown"]


def test_echo_of_the_other_party_is_dropped_but_double_talk_is_kept() -> None:
    t = np.arange(4 * SAMPLE_RATE) / SAMPLE_RATE
    voice = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    own = np.zeros_like(voice)
    other = np.zeros_like(voice)
    other[: 2 * SAMPLE_RATE] = voice[: 2 * SAMPLE_RATE]  # 0-2 s: the other party talks
    own[: 2 * SAMPLE_RATE] = 0.01 * voice[: 2 * SAMPLE_RATE]  # ...and leaks in at -40 dB
    own[2 * SAMPLE_RATE :] = voice[2 * SAMPLE_RATE :]  # 2-4 s: both talk at once
    other[2 * SAMPLE_RATE :] = voice[2 * SAMPLE_RATE :]
    heard = words(("echo", 0.5, 1.0), ("late", 1.2, 1.2), ("both", 2.5, 3.0))
    kept = drop_crosstalk(heard, own, other)
    assert [w.text.strip() for w in kept] == ["both"]


def test_rttm_and_json_speaker_turns(tmp_path: Path) -> None:
    rttm = tmp_path / "calls.rttm"
    rttm.write_text(
        ";; two recordings in one file\n"
        "SPEAKER call-1 1 0.50 2.00 <NA> <NA> spk_a <NA> <NA>\n"
        "SPEAKER call-1 1 2.60 1.00 <NA> <NA> spk_b <NA> <NA>\n"
        "SPEAKER call-2 1 0.00 1.00 <NA> <NA> spk_c <NA> <NA>\n",
        encoding="utf-8",
    )
    assert read_diarization(rttm, "call-1") == [
        SpeakerTurn("spk_a", 0.5, 2.5),
        SpeakerTurn("spk_b", 2.6, 3.6),
    ]
    with pytest.raises(ParseError, match="describes 2 recordings"):
        read_diarization(rttm, "call-3")
    listing = tmp_path / "turns.json"
    listing.write_text(
        '{"segments": [{"speaker": "B", "start": 2, "end": 3}, '
        '{"speaker": "A", "start": 0, "end": 1.5}]}',
        encoding="utf-8",
    )
    assert [t.speaker for t in read_diarization(listing)] == ["A", "B"]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("SPEAKER x 1 1.0\n", "turns.rttm:1: an RTTM SPEAKER line needs"),
        ("SPEAKER x 1 1.0 -2 <NA> <NA> A <NA> <NA>\n", "duration > 0"),
        ('[{"speaker": "A", "start": 3, "end": 1}]', "speaker turn 1"),
        ('[{"speaker": "A", "start": 0}]', "end"),
        ("[", "invalid JSON"),
        ("", "no speaker turns"),
    ],
)
def test_bad_speaker_files_are_rejected_with_the_place(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "turns.rttm"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ParseError) as caught:
        read_diarization(path)
    assert problem in str(caught.value)


def test_retries_back_off_exponentially_up_to_a_ceiling() -> None:
    assert [backoff_seconds(n) for n in (1, 2, 3, 4)] == [2, 4, 8, 16]
    assert backoff_seconds(30) == 300
