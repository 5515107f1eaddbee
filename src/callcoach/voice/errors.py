"""The one error the voice layer raises, with what went wrong so a caller can answer in kind."""

from __future__ import annotations

from enum import StrEnum


class VoiceProblem(StrEnum):
    """Why an utterance or a reply could not be handled.

    Every problem but UNAVAILABLE is the speaker's to fix (try again, unmute, speak up); a
    service translates those into its user-facing error and UNAVAILABLE into a setup error.
    """

    EMPTY = "empty"  # no bytes, no samples, or no text to speak
    SILENT = "silent"  # samples, but no sound at all: a muted or missing microphone
    NO_SPEECH = "no_speech"  # sound, but no words in it: noise, a cough, a click
    UNREADABLE = "unreadable"  # not audio any decoder reads, or damaged
    TOO_LONG = "too_long"  # more than one spoken turn should ever be
    UNAVAILABLE = "unavailable"  # the Whisper model or espeak-ng is missing or broken


class VoiceError(Exception):
    """Speech that cannot be transcribed, or text that cannot be spoken; the message says why."""

    def __init__(self, problem: VoiceProblem, message: str) -> None:
        self.problem = problem
        self.message = message
        super().__init__(message)

    @property
    def is_users_to_fix(self) -> bool:
        """True when trying again (speaking, unmuting) can help; False for a setup problem."""
        return self.problem is not VoiceProblem.UNAVAILABLE
