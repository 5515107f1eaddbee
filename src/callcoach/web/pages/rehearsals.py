"""Pages: a manager rehearses a review against the persona of the rep (issue 17, section 5),
typing or holding to talk (section 6).

Only the review's manager and administrators reach these pages; a rep (and any other manager)
gets "not found", exactly as for anything outside their scope.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from callcoach.domain.practice import TurnVia
from callcoach.services.accounts.users import Account
from callcoach.services.rehearsals.persona import default_persona_encoder
from callcoach.services.rehearsals.rep_model import RepModel
from callcoach.services.rehearsals.session import (
    ensure_can_say,
    finish_attempt,
    retry,
    say,
    show_rehearsal,
    start_rehearsal,
)
from callcoach.web.auth import check_csrf, container_of, page_account
from callcoach.web.rendering import render
from callcoach.web.speech import spoken_turn

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_csrf)])


def _back(session_id: int, anchor: str = "#say") -> RedirectResponse:
    return RedirectResponse(f"/rehearsals/{session_id}{anchor}", status_code=303)


@router.post("/reviews/{review_id}/rehearsals")
def start_page(
    request: Request, review_id: int, account: Account = Depends(page_account)
) -> Response:
    container = container_of(request)
    encode = default_persona_encoder(container.settings.embedding_model)
    view = start_rehearsal(container.store, review_id, encode, account.viewer)
    return _back(view.session_id)


@router.get("/rehearsals/{session_id}")
def rehearsal_page(
    request: Request, session_id: int, account: Account = Depends(page_account)
) -> Response:
    view = show_rehearsal(container_of(request).store, session_id, account.viewer)
    return render(request, "rehearsal.html", account, view=view)


@router.post("/rehearsals/{session_id}/say")
def say_page(
    request: Request,
    session_id: int,
    line: str = Form(""),
    account: Account = Depends(page_account),
) -> Response:
    container = container_of(request)
    encode = default_persona_encoder(container.settings.embedding_model)
    model = RepModel.configured(container.settings)
    say(container.store, session_id, line, encode, account.viewer, model=model)
    return _back(session_id)


@router.post("/rehearsals/{session_id}/voice")
async def voice_page(
    request: Request, session_id: int, account: Account = Depends(page_account)
) -> Response:
    """A spoken line (push to talk): the recording as the body; the persona's answer comes back
    as text and speech in the rehearsal voice (docs/practice.md, "Voice")."""
    container = container_of(request)
    ensure_can_say(container.store, session_id, account.viewer)
    audio = await request.body()

    def answer(heard: str) -> str:
        encode = default_persona_encoder(container.settings.embedding_model)
        model = RepModel.configured(container.settings)
        return say(
            container.store, session_id, heard, encode, account.viewer, TurnVia.VOICE, model=model
        ).text

    voice = container.settings.rehearsal_tts_voice
    return await spoken_turn(container, audio, answer, voice=voice)


@router.post("/rehearsals/{session_id}/finish")
def finish_page(
    request: Request,
    session_id: int,
    judgement: str = Form(""),
    account: Account = Depends(page_account),
) -> Response:
    container = container_of(request)
    finish_attempt(
        container.store, session_id, container.scorer_config(), account.viewer, judgement
    )
    return _back(session_id, "#result")


@router.post("/rehearsals/{session_id}/retry")
def retry_page(
    request: Request, session_id: int, account: Account = Depends(page_account)
) -> Response:
    retry(container_of(request).store, session_id, account.viewer)
    return _back(session_id)
