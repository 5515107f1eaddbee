"""A configured OpenAI-compatible model rephrases the review text; it never adds facts.

Each section's sentences go to the model with their evidence ids; the answer must be JSON whose
`cites` can only be those ids (a JSON schema with an enum). Every rephrased sentence then passes
the same check as a manager's edit; one that fails (or drops its citations) is replaced by the
sentence built from the evidence, so the draft stays complete whatever the model writes. Nothing
is sent unless CALLCOACH_REVIEW_LLM is on (or `review draft --llm` asks for it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from callcoach.analytics.reviews_check import check_sentence
from callcoach.analytics.reviews_format import CITATION, Sentence
from callcoach.analytics.reviews_text import Section
from callcoach.domain.reviews import EvidenceItem
from callcoach.llm.client import ChatClient, LlmEndpoint, LlmError, numbered_proposals
from callcoach.services.reviews.common import ReviewError
from callcoach.settings import Settings

SYSTEM_PROMPT = (
    "You edit a sales rep's performance review. Rewrite each numbered sentence so it reads "
    "naturally, addressed to the rep as 'you'. Keep every quote in curly quotes, every number, "
    "date, time and name exactly as written. Do not add any fact. For each sentence return its "
    "number, the new text without citations, and the evidence ids it cites, chosen only from "
    "the ids given with it. Answer with JSON only."
)


def _schema(ids: Sequence[str]) -> dict[str, Any]:
    cite: dict[str, Any] = {"type": "string", "enum": list(ids)} if ids else {"type": "string"}
    return {
        "type": "object",
        "properties": {
            "sentences": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "n": {"type": "integer"},
                        "text": {"type": "string"},
                        "cites": {"type": "array", "items": cite},
                    },
                    "required": ["n", "text", "cites"],
                },
            }
        },
        "required": ["sentences"],
    }


def endpoint_of(settings: Settings) -> LlmEndpoint:
    return LlmEndpoint(
        base_url=settings.llm_base_url,
        model=settings.llm_model,
        api_key=settings.llm_api_key,
        timeout=settings.llm_timeout,
        max_retries=settings.llm_max_retries,
        concurrency=1,
    )


def phrase_sections(
    sections: Sequence[Section],
    evidence: Mapping[str, EvidenceItem],
    names: Sequence[str],
    settings: Settings,
    limit: int | None = None,
) -> tuple[list[Section], dict[str, Any]]:
    """Sections with the model's phrasing where it passes the check; the counts of what it did."""
    client = ChatClient(endpoint_of(settings))
    stats: dict[str, Any] = {
        "endpoint": client.endpoint.chat_url,
        "sent": 0,
        "kept": 0,
        "replaced": 0,
        "errors": [],
    }
    result = []
    try:
        for position, section in enumerate(sections):
            if limit is not None and position >= limit:
                result.append(section)
                continue
            result.append(_phrase(client, section, evidence, names, stats))
    finally:
        client.close()
    if stats["errors"] and not stats["kept"] and len(stats["errors"]) == stats["sent"]:
        raise ReviewError(
            f"the model at {client.endpoint.chat_url} gave no usable answer: {stats['errors'][0]}"
        )
    return result, stats


def _phrase(
    client: ChatClient,
    section: Section,
    evidence: Mapping[str, EvidenceItem],
    names: Sequence[str],
    stats: dict[str, Any],
) -> Section:
    cited = [CITATION.findall(s) for s in section.sentences]
    ids = sorted({i for group in cited for i in group if i in evidence})
    if not ids:
        return section
    numbered = [
        {"n": n, "text": CITATION.sub("", s).replace(" .", ".").strip(), "cites": group}
        for n, (s, group) in enumerate(zip(section.sentences, cited, strict=True))
    ]
    stats["sent"] += 1
    try:
        proposals = numbered_proposals(
            client, SYSTEM_PROMPT, numbered, _schema(ids), max_tokens=1500
        )
    except (LlmError, ValueError, TypeError, AttributeError) as exc:
        stats["errors"].append(str(exc).splitlines()[0][:200])
        return section
    sentences = []
    for n, original in enumerate(section.sentences):
        proposal = proposals.get(n)
        kept = False
        if proposal is not None and cited[n]:
            text = CITATION.sub("", str(proposal.get("text", ""))).strip().rstrip(".").strip()
            cites = [c for c in proposal.get("cites", []) if isinstance(c, str)]
            if text and cites:
                candidate = Sentence(text, cites).render()
                if check_sentence(candidate, evidence, names).status == "ok":
                    sentences.append(candidate)
                    kept = True
        if kept:
            stats["kept"] += 1
        else:
            sentences.append(original)
            stats["replaced"] += 1 if proposal is not None and cited[n] else 0
    return Section(section.title, sentences)
