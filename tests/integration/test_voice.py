"""Spoken turns in, spoken replies out: real espeak-ng speech, the real Whisper model, PyAV."""

from __future__ import annotations

import base64
import io
import json
import wave
from pathlib import Path

import numpy as np
import pytest

from callcoach.voice.errors import VoiceError, VoiceProblem
from callcoach.voice.reply_stream import json_lines, reply_events
from callcoach.voice.sentences import split_sentences
from callcoach.voice.speech_to_text import WhisperSpeechToText
from callcoach.voice.text_to_speech import EspeakTextToSpeech
from tests.audio_helpers import normalise, require_tools, speak

pytestmark = pytest.mark.slow

ASKED = "Could you send me a proposal before our board meeting on Tuesday?"
ASKED_KEY_WORDS = {"proposal", "board", "meeting", "tuesday"}
REPLY = (
    "We already use another vendor and switching would take months. "
    "The price is too high for our budget this year."
)


@pytest.fixture(scope="module")
def stt() -> WhisperSpeechToText:
    return WhisperSpeechToText()


@pytest.fixture(scope="module")
def tts() -> EspeakTextToSpeech:
    require_tools()
    return EspeakTextToSpeech()


@pytest.fixture(scope="module")
def spoken_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tools()
    path = tmp_path_factory.mktemp("voice") / "asked.wav"
    speak(ASKED, "en-us", path)
    return path


def wav_of(samples: np.ndarray, rate: int = 16_000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    return buffer.getvalue()


def webm_opus_of(wav: Path) -> bytes:
    """What Chromium's MediaRecorder sends: opus in a WebM container, 48 kHz."""
    import av

    out = io.BytesIO()
    with av.open(str(wav)) as reader, av.open(out, mode="w", format="webm") as writer:
        encoder = writer.add_stream("libopus", rate=48_000, layout="mono")
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48_000)
        for frame in reader.decode(reader.streams.audio[0]):
            for chunk in resampler.resample(frame):
                chunk.pts = None
                for packet in encoder.encode(chunk):
                    writer.mux(packet)
        for packet in encoder.encode(None):
            writer.mux(packet)
    return out.getvalue()


def decoded_seconds(data: bytes) -> tuple[float, int]:
    """Duration and sample rate of audio bytes, read by PyAV as a browser's decoder would."""
    import av

    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.audio[0]
        samples = sum(frame.samples for frame in container.decode(stream))
        return samples / stream.sample_rate, int(stream.sample_rate)


def test_a_spoken_wav_round_trips_to_its_words(stt: WhisperSpeechToText, spoken_wav: Path) -> None:
    text = stt.transcribe(spoken_wav.read_bytes())
    assert set(normalise(text)) >= ASKED_KEY_WORDS, text


def test_a_browser_recording_round_trips_with_silence_around_it(
    stt: WhisperSpeechToText, spoken_wav: Path, tmp_path: Path
) -> None:
    """The button pressed a second early and released a second late, sent as WebM/Opus."""
    with wave.open(str(spoken_wav)) as reader:
        rate = reader.getframerate()
        speech = np.frombuffer(reader.readframes(reader.getnframes()), "<i2") / 32768
    quiet_room = np.random.default_rng(7).normal(0, 0.002, rate)  # about -54 dBFS
    padded = tmp_path / "padded.wav"
    padded.write_bytes(wav_of(np.concatenate([quiet_room, speech, quiet_room]), rate))
    recording = webm_opus_of(padded)
    assert recording[:4] == b"\x1a\x45\xdf\xa3"  # an EBML (WebM) header
    assert set(normalise(stt.transcribe(recording))) >= ASKED_KEY_WORDS


def test_empty_audio_gets_a_clear_error(stt: WhisperSpeechToText) -> None:
    with pytest.raises(VoiceError) as empty:
        stt.transcribe(b"")
    assert empty.value.problem is VoiceProblem.EMPTY
    assert "empty" in str(empty.value)

    with pytest.raises(VoiceError) as no_samples:
        stt.transcribe(wav_of(np.zeros(0)))
    assert no_samples.value.problem is VoiceProblem.EMPTY
    assert "no audio samples" in str(no_samples.value)


def test_silent_audio_gets_a_clear_error(stt: WhisperSpeechToText) -> None:
    with pytest.raises(VoiceError) as silent:
        stt.transcribe(wav_of(np.zeros(32_000)))
    assert silent.value.problem is VoiceProblem.SILENT
    assert "microphone" in str(silent.value)
    assert silent.value.is_users_to_fix


def test_room_noise_without_words_is_not_transcribed(stt: WhisperSpeechToText) -> None:
    """Sound but no speech: refused, where Whisper alone would make up words for it."""
    noise = np.random.default_rng(3).normal(0, 0.05, 48_000)
    with pytest.raises(VoiceError) as no_speech:
        stt.transcribe(wav_of(noise))
    assert no_speech.value.problem is VoiceProblem.NO_SPEECH
    assert "no speech" in str(no_speech.value)


def test_bytes_that_are_not_audio_are_named_unreadable(stt: WhisperSpeechToText) -> None:
    with pytest.raises(VoiceError) as unreadable:
        stt.transcribe(b"this is a text file, not a recording\n" * 50)
    assert unreadable.value.problem is VoiceProblem.UNREADABLE
    assert "not a readable audio file" in str(unreadable.value)


def test_a_tap_of_the_button_is_too_short(stt: WhisperSpeechToText) -> None:
    with pytest.raises(VoiceError) as tap:
        stt.transcribe(wav_of(np.full(1_600, 0.3)))  # 0.1 s
    assert tap.value.problem is VoiceProblem.EMPTY
    assert "hold the button" in str(tap.value)


def test_speech_is_playable_audio_of_plausible_duration(tts: EspeakTextToSpeech) -> None:
    sentence = split_sentences(REPLY)[0]
    audio = tts.synthesize(sentence)
    assert audio.media_type == "audio/wav"
    seconds, rate = decoded_seconds(audio.data)
    assert rate == 22_050
    assert seconds == pytest.approx(audio.duration_s, abs=0.01)
    # 10 words at 165 words a minute is 3.6 s; espeak-ng adds a closing pause.
    expected = len(sentence.split()) / tts.words_per_minute * 60
    assert 0.7 * expected < seconds < 1.6 * expected, (seconds, expected)


def test_spoken_reply_is_understood_again(
    tts: EspeakTextToSpeech, stt: WhisperSpeechToText
) -> None:
    """What the voice says is speech Whisper hears as the same words: it is speech, not noise."""
    heard = set(normalise(stt.transcribe(tts.synthesize(split_sentences(REPLY)[0]).data)))
    assert {"vendor", "switching", "months"} <= heard


def test_empty_text_and_a_missing_voice_get_clear_errors() -> None:
    require_tools()
    with pytest.raises(VoiceError) as empty:
        EspeakTextToSpeech().synthesize(" \n\t ")
    assert empty.value.problem is VoiceProblem.EMPTY

    with pytest.raises(VoiceError) as no_voice:
        EspeakTextToSpeech(voice="xx-nowhere").synthesize("Hello.")
    assert no_voice.value.problem is VoiceProblem.UNAVAILABLE
    assert "CALLCOACH_TTS_VOICE" in str(no_voice.value)
    assert not no_voice.value.is_users_to_fix

    with pytest.raises(VoiceError) as no_program:
        EspeakTextToSpeech(executable="espeak-ng-not-installed").synthesize("Hello.")
    assert "apt-get install espeak-ng" in str(no_program.value)


def test_text_that_looks_like_options_or_markup_is_spoken_as_text(
    tts: EspeakTextToSpeech,
) -> None:
    audio = tts.synthesize("-v xx --stdout <speak>ten</speak>")
    assert decoded_seconds(audio.data)[0] > 1.0


def test_the_reply_stream_sends_words_first_then_audio_sentence_by_sentence(
    tts: EspeakTextToSpeech,
) -> None:
    made: list[str] = []

    def make_reply() -> str:
        made.append("now")
        return REPLY

    lines = json_lines(reply_events("send me a proposal", make_reply, tts))
    first = json.loads(next(lines))
    assert first == {"event": "heard", "text": "send me a proposal"}
    assert made == []  # the words heard leave before the reply is made
    events = [json.loads(line) for line in lines]
    assert events[0] == {"event": "reply", "text": REPLY}
    audio = [e for e in events if e["event"] == "audio"]
    assert [e["text"] for e in audio] == split_sentences(REPLY)
    assert [e["index"] for e in audio] == [0, 1]
    for event in audio:
        seconds, _ = decoded_seconds(base64.b64decode(event["audio"]))
        assert seconds == pytest.approx(event["duration_s"], abs=0.01)
    assert events[-1] == {"event": "done", "sentences": 2}
