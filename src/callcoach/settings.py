"""Settings: from the environment (CALLCOACH_*), a .env file, or command-line options."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting, with its environment variable. docs/configuration.md lists them all."""

    model_config = SettingsConfigDict(env_prefix="CALLCOACH_", env_file=".env", extra="ignore")

    db: str = Field(
        default="./callcoach.db",
        description="Database: a SQLite file path or a SQLAlchemy URL (postgresql://...).",
    )
    default_rubric: str = Field(
        default="one-call-close", description="Rubric used when a command is given no --rubric."
    )
    scorer: str = Field(default="embedded", description="Default scorer: embedded or llm.")
    workers: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        description="Parallel scoring processes for local runs (default: the machine's cores).",
    )
    embedding_model: str | None = Field(
        default=None,
        description="Path to a sentence-transformers model; default: the bundled all-MiniLM-L6-v2.",
    )
    embedding_backend: Literal["openvino", "onnx", "torch"] = Field(
        default="openvino",
        description="How the embedding model runs: openvino or onnx (ONNX Runtime), both on an "
        "ONNX export made from the model's weights at first use, or torch (PyTorch).",
    )
    embedding_precision: Literal["auto", "float32", "bfloat16"] = Field(
        default="auto",
        description="What the embedding model's matrix products run in (openvino, torch): auto "
        "is bfloat16 on CPUs with AMX, float32 elsewhere (bfloat16 without AMX was measured "
        "slower); onnx always runs in float32.",
    )
    model_cache: str | None = Field(
        default=None,
        description="Folder for the ONNX export of the embedding model; default: "
        "$XDG_CACHE_HOME/callcoach or ~/.cache/callcoach.",
    )
    llm_base_url: str = Field(
        default="http://127.0.0.1:8080/v1",
        description="OpenAI-compatible chat completions endpoint (hosted, vLLM, Ollama, llama.cpp).",
    )
    llm_model: str = Field(default="default", description="Model name sent to the LLM endpoint.")
    llm_api_key: str | None = Field(default=None, description="API key for the LLM endpoint.")
    llm_timeout: float = Field(
        default=120.0, description="Seconds before an LLM request times out."
    )
    llm_concurrency: int = Field(default=4, description="LLM requests in flight at once.")
    llm_max_retries: int = Field(
        default=4, description="Retries (with backoff) on timeouts, 429 and 5xx."
    )
    whisper_model: str | None = Field(
        default=None,
        description="Path to a CTranslate2 Whisper model; default: the bundled tiny.en.",
    )
    tts_voice: str = Field(
        default="en-us",
        description="espeak-ng voice of the practice prospect's replies (`espeak-ng --voices=en`).",
    )
    rehearsal_tts_voice: str = Field(
        default="en-gb",
        description="espeak-ng voice of the rep's persona in review rehearsals: another voice "
        "than the prospect's, so a manager hears whom they are rehearsing with.",
    )
    tts_rate: int = Field(
        default=165, ge=80, le=450, description="Speaking rate of practice replies, words a minute."
    )
    broker_url: str = Field(
        default="redis://127.0.0.1:6379/0", description="Celery broker (Redis) for --queue work."
    )
    job_visibility_timeout: int = Field(
        default=3600,
        description="Seconds before a job whose worker vanished (killed, machine lost) is handed "
        "to another worker; keep it above the longest transcription.",
    )
    job_max_attempts: int = Field(
        default=5, description="Attempts of a queued job before it is marked failed."
    )
    job_queue: Literal["inprocess", "celery"] = Field(
        default="inprocess",
        description="Where background jobs run: inprocess (threads of the web server, or the "
        "command that starts them; one machine) or celery (`callcoach worker` on Redis).",
    )
    job_threads: int = Field(
        default=2,
        ge=1,
        description="In-process queue: jobs run at once by one process (each scoring job still "
        "uses CALLCOACH_WORKERS processes).",
    )
    job_heartbeat_interval: float = Field(
        default=5.0,
        gt=0,
        description="Seconds between a running job's heartbeats; a job whose process is on "
        "another machine is taken for dead after 6 missed heartbeats.",
    )
    score_after_import: bool = Field(
        default=True,
        description="Score imported calls (CLI, web upload, API) on the default rubric with "
        "the default scorer as a job, without anyone clicking re-score.",
    )
    review_window_days: int = Field(
        default=60, ge=7, description="Days of evidence a performance review covers by default."
    )
    review_stalled_days: int = Field(
        default=30,
        ge=1,
        description="An open deal with no stage change, call or activity for this many days "
        "is stalled (reviews).",
    )
    review_ramping_months: float = Field(
        default=6.0, ge=0, description="Reviews: under this tenure, the ramping weights apply."
    )
    review_tenured_months: float = Field(
        default=12.0, ge=0, description="Reviews: over this tenure, the tenured weights apply."
    )
    review_weights_ramping: str = Field(
        default="output=20,activity=30,skill=30,growth=20",
        description="Reviews: dimension weights (percent) for ramping reps.",
    )
    review_weights_tenured: str = Field(
        default="output=50,activity=0,skill=50,growth=0",
        description="Reviews: dimension weights (percent) for tenured reps.",
    )
    review_hypothesis_criteria: str = Field(
        default="",
        description="Reviews: criterion ids the lost-after-verbal hypothesis names (comma "
        "separated; empty: found by keywords).",
    )
    review_llm: bool = Field(
        default=False,
        description="Let the configured LLM endpoint (CALLCOACH_LLM_*) phrase review drafts; "
        "off: nothing is sent anywhere.",
    )
    practice_llm: bool = Field(
        default=False,
        description="Let the configured LLM endpoint (CALLCOACH_LLM_*) play the practice "
        "prospect and phrase the coach; off: replies are real prospects' words, nothing is sent.",
    )
    rehearsal_llm: bool = Field(
        default=False,
        description="Let the configured LLM endpoint (CALLCOACH_LLM_*) phrase the rep persona's "
        "lines in review rehearsals, checked by guardrails; off: the rep's own words, nothing "
        "is sent.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Key behind the web forms' CSRF tokens; default: a random key kept in the "
        "database.",
    )
    session_idle_minutes: int = Field(
        default=60,
        ge=1,
        description="A web session ends after this many minutes without a request.",
    )
    session_max_hours: float = Field(
        default=12,
        gt=0,
        description="A web session ends this many hours after sign-in, however active.",
    )
