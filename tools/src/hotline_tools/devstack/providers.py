"""`make run`'s stand-in for the provider APIs this machine cannot reach (Slack's Web API, the
WhatsApp Cloud, Messenger, Telegram Bot, Twilio and X send APIs): each answer is shaped as the
provider documents it, so the demo persona's Slack profile resolves and agent replies come back
``sent``. Dev only: `make run` prints its address as a stand-in; a deployment points the
``HOTLINE_*_API_BASE`` settings at the real providers (their defaults).
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import deque
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from hotline_tools.devstack import persona as pe


def sent_answer(path: str, n: int) -> dict[str, Any]:
    """The provider's answer to an accepted send, by its API path."""
    if path.endswith("/sendMessage"):  # Telegram Bot API
        return {"ok": True, "result": {"message_id": n, "chat": {"id": 1}}}
    if path.endswith("/Messages.json"):  # Twilio
        return {"sid": f"SMout{n}"}
    if path.endswith("/me/messages"):  # Messenger / Instagram Send API
        return {"recipient_id": "x", "message_id": f"m_out{n}"}
    if "/dm_conversations/" in path:  # X
        return {"data": {"dm_event_id": str(n)}}
    if path.endswith("/media"):  # WhatsApp Cloud API media upload: the id a message names
        return {"id": f"{1000000000000000 + n}"}
    return {"messages": [{"id": f"wamid.out{n}"}]}  # WhatsApp Cloud API


WABA = "WABA1"  # the demo WhatsApp Business Account (persona.py's webhooks name it)
TEMPLATES: list[dict[str, Any]] = [  # GET /{waba-id}/message_templates, as Meta documents it
    {
        "name": "hello_world",
        "components": [
            {"type": "HEADER", "format": "TEXT", "text": "Hello World"},
            {
                "type": "BODY",
                "text": "Welcome and congratulations!! This message demonstrates your ability"
                " to send a WhatsApp message notification from the Cloud API, hosted by Meta."
                " Thank you for taking the time to test with us.",
            },
            {"type": "FOOTER", "text": "WhatsApp Business Platform sample message"},
        ],
        "language": "en_US",
        "status": "APPROVED",
        "category": "UTILITY",
        "id": "1192339204654487",
    },
    {
        "name": "order_update",
        "parameter_format": "POSITIONAL",
        "components": [
            {
                "type": "BODY",
                "text": "Hi {{1}}, your order {{2}} is on its way.",
                "example": {"body_text": [["Maria", "4711"]]},
            }
        ],
        "language": "en_US",
        "status": "APPROVED",
        "category": "UTILITY",
        "id": "1402312870829551",
    },
    {
        "name": "order_update",
        "parameter_format": "POSITIONAL",
        "components": [
            {
                "type": "BODY",
                "text": "Hola {{1}}, tu pedido {{2}} está en camino.",
                "example": {"body_text": [["María", "4711"]]},
            }
        ],
        "language": "es",
        "status": "APPROVED",
        "category": "UTILITY",
        "id": "1402312870829552",
    },
    {
        "name": "spring_sale",
        "components": [{"type": "BODY", "text": "Our spring sale starts {{1}}!"}],
        "language": "en_US",
        "status": "REJECTED",
        "category": "MARKETING",
        "id": "980912306722321",
    },
]
PAGE = 2  # templates per page, so a sync has to follow ``paging.next``


def message_templates(base: str, waba: str, after: int) -> tuple[int, dict[str, Any]]:
    """A page of the account's templates with Graph's cursor paging; Graph's error for an
    unknown account."""
    if waba != WABA:
        error = {"message": "Unsupported get request", "type": "GraphMethodException", "code": 100}
        return 400, {"error": error}
    page = TEMPLATES[after : after + PAGE]
    cursors = {"before": f"{after}", "after": f"{after + len(page)}"}
    paging: dict[str, Any] = {"cursors": cursors}
    if after + PAGE < len(TEMPLATES):
        paging["next"] = f"{base}/{waba}/message_templates?after={after + PAGE}"
    return 200, {"data": page, "paging": paging}


def slack_user(user: str, personas: tuple[pe.Persona, ...]) -> dict[str, Any]:
    """``users.info``: the recorded profile of a known persona, Slack's error otherwise."""
    for who in personas:
        if who.slack_user == user:
            return pe.slack_profile(who)
    return {"ok": False, "error": "user_not_found"}


def app(
    personas: tuple[pe.Persona, ...] = (pe.MARIA, pe.NAMESAKE),
    sent: deque[tuple[str, Any]] | None = None,
) -> FastAPI:
    """``sent``: where each send request is kept as (path, JSON body or form), for tests."""
    api, counter = FastAPI(), itertools.count(1)

    @api.api_route("/slack/api/users.info", methods=["GET", "POST"])
    async def users_info(request: Request) -> JSONResponse:
        """slack_sdk sends ``user`` in the query or as a form field."""
        form = dict(parse_qsl((await request.body()).decode()))
        user = request.query_params.get("user") or form.get("user", "")
        return JSONResponse(slack_user(user, personas))

    @api.get("/meta/{user_id}")  # Graph API profile lookups (Messenger)
    async def meta_profile(user_id: str) -> JSONResponse:
        for who in personas:
            if who.psid and who.psid == user_id:
                return JSONResponse(pe.messenger_profile(who))
        error = {"message": "Unsupported get request", "type": "GraphMethodException", "code": 100}
        return JSONResponse({"error": error}, status_code=400)

    @api.get("/whatsapp/{waba}/message_templates")
    async def templates(request: Request, waba: str, after: int = 0) -> JSONResponse:
        base = str(request.base_url).rstrip("/") + "/whatsapp"
        status, doc = message_templates(base, waba, after)
        return JSONResponse(doc, status_code=status)

    @api.post("/{path:path}")
    async def send(path: str, request: Request) -> JSONResponse:
        if sent is not None:
            sent.append(("/" + path, await _body(request)))
        return JSONResponse(sent_answer("/" + path, next(counter)))

    return api


async def _body(request: Request) -> Any:
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        return json.loads(raw or b"null")
    return dict(parse_qsl(raw.decode(errors="replace")))


def api_bases(base: str) -> dict[str, str]:
    """The settings that point every service at the stand-in."""
    return {
        "HOTLINE_SLACK_API_BASE": f"{base}/slack/api/",
        "HOTLINE_WHATSAPP_API_BASE": f"{base}/whatsapp",
        "HOTLINE_META_API_BASE": f"{base}/meta",
        "HOTLINE_TELEGRAM_API_BASE": f"{base}/telegram",
        "HOTLINE_TWILIO_API_BASE": f"{base}/twilio",
        "HOTLINE_X_API_BASE": f"{base}/x",
    }


class StandIn:
    """Serves ``app()`` on 127.0.0.1:port in a thread of the `make run` process."""

    def __init__(self, port: int) -> None:
        # the latest send requests, in order (tests read them; bounded for a long `make run`)
        self.sent: deque[tuple[str, Any]] = deque(maxlen=1000)
        config = uvicorn.Config(app(sent=self.sent), host="127.0.0.1", port=port, log_config=None)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="provider-standin", daemon=True)
        self.base = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
