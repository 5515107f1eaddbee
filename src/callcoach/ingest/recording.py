"""A recording read as a transcript: decode, transcribe per channel or speaker, merge by time.

This is the audio "reader": like the transcript readers it returns a `ParsedCall`, and the
shared import path then matches the rep, links the deal and stores the call in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from callcoach.domain.calls import SpeakerRole
from callcoach.ingest.audio import (
    Channel,
    DecodedAudio,
    SpeakerTurn,
    TimedWord,
    assign_speakers,
    decode,
    drop_crosstalk,
    label_words,
    merge_tracks,
    read_diarization,
    to_turns,
)
from callcoach.ingest.errors import ParseError
from callcoach.ingest.transcribe import Transcriber
from callcoach.ingest.transcript import ParsedCall, ParsedTurn

MONO_SPEAKER = "Speaker"
PROSPECT_LABEL = "Prospect"
REP_LABEL = "Rep"


@dataclass(frozen=True)
class RecordingLayout:
    """How speakers map onto the recording: a rep channel for stereo, turns for mono."""

    rep_channel: Channel = Channel.LEFT
    speakers_file: Path | None = None  # RTTM or JSON speaker turns (mono recordings)
    rep_name: str | None = None  # labels the rep's channel of a stereo recording


def read_recording(
    path: Path,
    transcriber: Transcriber,
    layout: RecordingLayout,
    *,
    external_id: str,
    audio_hash: str,
    on_progress: Callable[[float], None] | None = None,
) -> ParsedCall:
    """Transcribe one recording into a ParsedCall; ParseError names the file and the problem."""
    turns_file = (
        read_diarization(layout.speakers_file, recording=path.stem)
        if layout.speakers_file is not None
        else None
    )
    audio = decode(path)
    info: dict[str, Any] = {
        "codec": audio.codec,
        "channels": audio.source_channels,
        "duration_s": round(audio.duration_s, 2),
        "model": transcriber.model_name,
    }
    if audio.is_stereo:
        turns, dropped = _stereo_turns(audio, transcriber, layout, on_progress)
        info |= {"mode": "stereo", "rep_channel": layout.rep_channel.value}
        info["crosstalk_words_dropped"] = dropped
    else:
        words = transcriber.transcribe(audio.channels[0], on_progress)
        turns = _mono_turns(words, turns_file)
        info["mode"] = "mono" if turns_file is None else "mono+speakers"
        if layout.speakers_file is not None:
            info["speakers_file"] = str(layout.speakers_file)
    if not turns:
        raise ParseError(
            path,
            None,
            f"no speech found in {audio.duration_s:.1f} s of audio (voice activity detection "
            "kept nothing to transcribe)",
        )
    return ParsedCall(
        external_id=external_id,
        turns=turns,
        source_file=str(path),
        source_format="audio",
        rep=layout.rep_name,
        duration_s=round(audio.duration_s, 2),
        audio_path=str(path.resolve()),
        audio_hash=audio_hash,
        meta={"audio": info},
    )


def _stereo_turns(
    audio: DecodedAudio,
    transcriber: Transcriber,
    layout: RecordingLayout,
    on_progress: Callable[[float], None] | None,
) -> tuple[list[ParsedTurn], int]:
    """Each channel transcribed on its own; the channel says who spoke, not a guess."""
    rep_label = layout.rep_name or REP_LABEL
    labels = {layout.rep_channel: rep_label, layout.rep_channel.other: PROSPECT_LABEL}
    tracks: list[list[TimedWord]] = []
    dropped = 0
    for channel in (Channel.LEFT, Channel.RIGHT):
        own = audio.channels[channel.position]
        other = audio.channels[channel.other.position]
        # Half the progress per channel: the bar counts seconds of the recording, not of work.
        words = transcriber.transcribe(
            own, (lambda s: on_progress(s / 2)) if on_progress is not None else None
        )
        kept = drop_crosstalk(words, own, other)
        dropped += len(words) - len(kept)
        tracks.append(label_words(kept, labels[channel]))
    turns = to_turns(merge_tracks(tracks))
    for turn in turns:
        turn.role = SpeakerRole.REP if turn.speaker == rep_label else SpeakerRole.PROSPECT
    return turns, dropped


def _mono_turns(words: list[TimedWord], turns: list[SpeakerTurn] | None) -> list[ParsedTurn]:
    if turns is None:
        return to_turns(merge_tracks([label_words(words, MONO_SPEAKER)]))
    attributed = assign_speakers(words, turns)
    by_speaker: dict[str, list[TimedWord]] = {}
    for word in attributed:
        by_speaker.setdefault(word.speaker, []).append(word)
    return to_turns(merge_tracks(by_speaker.values()))
