"""Offline speech for practice sessions and review rehearsals.

An adapter layer, like `callcoach.ingest`: two ports (`SpeechToText`, `TextToSpeech`), their
offline implementations (`speech_to_text.WhisperSpeechToText`: the bundled Whisper tiny.en;
`text_to_speech.EspeakTextToSpeech`: espeak-ng run as a program), deterministic fakes beside
them (`fakes`), and the reply stream the browser's push-to-talk reads (`reply_stream`).
Nothing loads at import: the Whisper model on first use or `warm_up()`.
"""

from __future__ import annotations

from callcoach.voice.errors import VoiceError, VoiceProblem
from callcoach.voice.ports import SpeechToText, SynthesizedAudio, TextToSpeech

__all__ = ["SpeechToText", "SynthesizedAudio", "TextToSpeech", "VoiceError", "VoiceProblem"]
