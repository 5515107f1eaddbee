"""The voice layer's pure parts: sentences, WAV headers, the reply stream, the fakes."""

from __future__ import annotations

import base64
import io
import json
import struct
import wave

import pytest

from callcoach.voice.errors import VoiceError, VoiceProblem
from callcoach.voice.fakes import FakeSpeechToText, FakeTextToSpeech
from callcoach.voice.reply_stream import Unspoken, json_lines, reply_events
from callcoach.voice.sentences import MAX_SPOKEN_CHARS, speakable_text, split_sentences
from callcoach.voice.wav import repair_streamed_wav, wav_bytes, wav_duration


def test_sentences_split_at_ends_but_not_inside_names_or_numbers() -> None:
    text = (
        'Mr. Lee said "no." Then he left! Is it 5.5 percent? Yes, e.g. for Acme. '
        "Dr. J. Smith agrees. 40 seats, then."
    )
    assert split_sentences(text) == [
        'Mr. Lee said "no."',
        "Then he left!",
        "Is it 5.5 percent?",
        "Yes, e.g. for Acme.",
        "Dr. J. Smith agrees.",
        "40 seats, then.",
    ]


def test_one_sentence_or_none_at_all() -> None:
    assert split_sentences("  fine, send it over  ") == ["fine, send it over"]
    with pytest.raises(VoiceError) as empty:
        split_sentences("\n \t")
    assert empty.value.problem is VoiceProblem.EMPTY


def test_speakable_text_drops_control_characters_and_refuses_a_document() -> None:
    assert speakable_text("Fine.\x00\x07 Send\u200b it.\r\n") == "Fine. Send it."
    with pytest.raises(VoiceError) as long:
        speakable_text("word " * MAX_SPOKEN_CHARS)
    assert long.value.problem is VoiceProblem.TOO_LONG


def test_a_streamed_wav_header_gets_its_true_sizes() -> None:
    pcm = struct.pack("<4h", 0, 1000, -1000, 0) + b"\x01"  # a stray half sample at the end
    streamed = (
        b"RIFF"
        + struct.pack("<I", 0x7FFFF024)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, 1, 22_050, 44_100, 2, 16)
        + b"data"
        + struct.pack("<I", 0x7FFFF000)
        + pcm
    )
    repaired = repair_streamed_wav(streamed, "espeak-ng")
    with wave.open(io.BytesIO(repaired)) as reader:
        assert reader.getnframes() == 4
        assert reader.getframerate() == 22_050
    assert wav_duration(repaired) == pytest.approx(4 / 22_050)
    with pytest.raises(VoiceError) as not_wav:
        repair_streamed_wav(b"Error: no such voice", "espeak-ng")
    assert not_wav.value.problem is VoiceProblem.UNAVAILABLE


def test_the_reply_stream_with_the_fake_voice() -> None:
    tts = FakeTextToSpeech()
    reply = "Fine. Send the proposal by Friday."
    events = [json.loads(line) for line in json_lines(reply_events("hi", lambda: reply, tts))]
    assert [e["event"] for e in events] == ["heard", "reply", "audio", "audio", "done"]
    assert tts.spoken == ["Fine.", "Send the proposal by Friday."]
    second = base64.b64decode(events[3]["audio"])
    assert wav_duration(second) == pytest.approx(5 * 0.4)
    assert events[3]["duration_s"] == pytest.approx(2.0)


def test_a_turn_answered_with_silence_streams_its_note_and_speaks_nothing() -> None:
    tts = FakeTextToSpeech()
    why = "no real prospect's reply fits this point of the conversation"
    events = list(reply_events("hi", lambda: Unspoken(why, code="nothing-fits"), tts))
    assert events == [
        {"event": "heard", "text": "hi"},
        {"event": "note", "text": why, "code": "nothing-fits"},
        {"event": "done", "sentences": 0},
    ]
    assert tts.spoken == []  # the note is never said in the persona's voice


def test_the_reply_stream_ends_with_an_error_line_when_speaking_fails() -> None:
    class BrokenVoice(FakeTextToSpeech):
        def synthesize(self, text: str) -> object:  # type: ignore[override]
            raise VoiceError(VoiceProblem.UNAVAILABLE, "espeak-ng is not installed")

    events = list(reply_events("hi", lambda: "Fine.", BrokenVoice()))
    assert events[-1] == {"event": "error", "message": "espeak-ng is not installed"}


def test_the_fakes_check_their_input_like_the_real_ones() -> None:
    stt = FakeSpeechToText("send me a proposal")
    assert stt.transcribe(b"RIFF....") == "send me a proposal"
    with pytest.raises(VoiceError) as empty:
        stt.transcribe(b"")
    assert empty.value.problem is VoiceProblem.EMPTY
    assert stt.heard == [b"RIFF....", b""]
    silent = FakeSpeechToText(error=VoiceError(VoiceProblem.SILENT, "the recording is silent"))
    with pytest.raises(VoiceError, match="silent"):
        silent.transcribe(b"RIFF....")
    audio = FakeTextToSpeech().synthesize("one two three")
    assert audio.media_type == "audio/wav"
    assert wav_duration(audio.data) == pytest.approx(1.2)
    assert audio.data == FakeTextToSpeech().synthesize("one two three").data


def test_wav_bytes_keeps_whole_frames_only() -> None:
    assert wav_duration(wav_bytes(b"\x00" * 5, 10)) == pytest.approx(0.2)
