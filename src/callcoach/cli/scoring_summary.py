"""The summary `callcoach score` (and the demo) prints after a scoring run."""

from __future__ import annotations

from typing import Any

from rich.markup import escape


def _count(n: int, what: str) -> str:
    return f"{n} {what}" if n == 1 else f"{n} {what}s"


def summary_lines(summary: Any, rescore: bool) -> list[str]:
    from callcoach.services.scoring.summary import group_by_reason

    s = summary
    where = {"processes": "worker processes", "threads": "concurrent requests"}.get(s.mode)
    how = f", {s.workers} {where}" if where else ""
    lines = [
        f"[bold]{_count(s.scored, 'call')} scored[/] against [bold]{escape(s.rubric_id)}[/] "
        f"v{s.rubric_version} with the {escape(s.scorer)} scorer in {s.seconds:.1f}s "
        f"({s.calls_per_second:.2f} calls/s{how})."
    ]
    if s.selected == 0:
        lines.append("No call matches the selection.")
    if s.already_done and not rescore:
        lines.append(
            f"{_count(s.already_done, 'call')} already done on this rubric version and skipped "
            "(--rescore scores them again)."
        )
    if s.not_scorable:
        lines.append(
            f"[yellow]{_count(len(s.not_scorable), 'call')} not scorable[/] "
            "(stored with the reason; no score is invented):"
        )
        for kind, ids in group_by_reason(s.not_scorable).items():
            shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
            lines.append(f"  {escape(kind)} ({len(ids)}): {escape(shown)}")
    if s.failures:
        lines.append(
            f"[red]{_count(len(s.failures), 'call')} failed[/] (the next `callcoach score` "
            "tries them again):"
        )
        for note in s.failures[:10]:
            lines.append(f"  {escape(note.call_id)}: {escape(note.reason)}")
        if len(s.failures) > 10:
            lines.append(f"  ... and {len(s.failures) - 10} more (--format json lists them all)")
    if s.embeddings_computed or s.embeddings_reused:
        lines.append(
            f"Transcript embeddings: {s.embeddings_computed} computed and stored, "
            f"{s.embeddings_reused} reused from earlier runs."
        )
    c = s.counters
    if "llm_requests" in c or "llm_cache_hits" in c:
        lines.append(
            f"LLM: {c.get('llm_requests', 0)} answers from the endpoint "
            f"({c.get('http_retries', 0)} retries after a timeout, 429 or 5xx), "
            f"{c.get('llm_cache_hits', 0)} answers from the cache; "
            f"{c.get('prompt_tokens_spent', 0):,} prompt + "
            f"{c.get('completion_tokens_spent', 0):,} completion tokens spent."
        )
        lines.append(
            f"Quotes: {c.get('quotes_verified', 0)} verified verbatim, "
            f"{s.quotes_rejected} rejected (not in the cited segment; never stored); "
            f"{_count(c.get('answers_retried', 0), 'answer')} asked again, "
            f"{_count(c.get('levels_withheld', 0), 'level')} withheld for lack of a verified quote."
        )
        if c.get("full_transcript_fallbacks"):
            lines.append(
                f"[yellow]{c['full_transcript_fallbacks']} call(s) sent in full[/]: the candidate "
                "picker (embedded scorer) was unavailable."
            )
    if s.evidence_dropped:
        lines.append(
            f"[yellow]{s.evidence_dropped} evidence quote(s) dropped[/]: not verbatim in their "
            "segment."
        )
    if s.remaining:
        lines.append(
            f"[yellow]{_count(s.remaining, 'call')} not reached[/]: run the same command again "
            "to continue where this run stopped."
        )
    if s.stopped:
        lines.append(f"[red]Stopped:[/] {escape(s.stopped)}")
    return lines
