"""Provider-shaped, correctly signed requests for each channel (pure: bytes in, bytes out)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from email.message import EmailMessage

import msgspec

from hotline_tools.load.mix import Send

WA_PHONE_NUMBER_ID = "100200300"
SLACK_TEAM = "TLOAD"
SLACK_CHANNEL = "CLOADSUPPORT"
AUTHSERV_ID = "mx.loadtest"
SUPPORT_ADDRESS = "help@localhost"
PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201e2215bc90000000049454e44ae426082"
)


@dataclass(frozen=True)
class HttpRequest:
    path: str
    headers: dict[str, str]
    body: bytes


def whatsapp(send: Send, app_secret: str, ts: int) -> HttpRequest:
    message: dict[str, object] = {
        "from": send.customer.phone,
        "id": send.provider_id,
        "timestamp": str(ts),
    }
    if send.attachment:
        message |= {
            "type": "image",
            "image": {
                "id": f"media{send.seq}",
                "mime_type": "image/png",
                "sha256": hashlib.sha256(PNG_1PX).hexdigest(),
            },
        }
    else:
        message |= {"type": "text", "text": {"body": send.text}}
    if send.reply_to:
        message["context"] = {"from": send.customer.phone, "id": send.reply_to}
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": WA_PHONE_NUMBER_ID},
        "contacts": [
            {"profile": {"name": f"Customer {send.customer.n}"}, "wa_id": send.customer.phone}
        ],
        "messages": [message],
    }
    body = msgspec.json.encode(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "WABA1", "changes": [{"value": value, "field": "messages"}]}],
        }
    )
    sig = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return HttpRequest(
        "/webhooks/whatsapp",
        {"X-Hub-Signature-256": f"sha256={sig}", "Content-Type": "application/json"},
        body,
    )


def slack(send: Send, signing_secret: str, now: int) -> HttpRequest:
    event: dict[str, object] = {
        "type": "message",
        "channel": SLACK_CHANNEL,
        "user": send.customer.slack_user,
        "text": send.text,
        "ts": send.provider_id,
        "channel_type": "channel",
        "team": SLACK_TEAM,
    }
    if send.reply_to:
        event["thread_ts"] = send.reply_to
    body = msgspec.json.encode(
        {
            "token": "x",
            "team_id": SLACK_TEAM,
            "api_app_id": "ALOAD",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{send.seq if send.retry_of is None else send.retry_of}",
            "event_time": now,
        }
    )
    base = f"v0:{now}:".encode() + body
    sig = hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    headers = {
        "X-Slack-Signature": f"v0={sig}",
        "X-Slack-Request-Timestamp": str(now),
        "Content-Type": "application/json",
    }
    if send.retry_of is not None:
        headers |= {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    return HttpRequest("/slack/events", headers, body)


def email(send: Send) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Customer {send.customer.n} <{send.customer.email}>"
    msg["To"] = SUPPORT_ADDRESS
    msg["Subject"] = f"Order question {send.customer.n}"
    msg["Message-ID"] = send.provider_id
    msg["Date"] = "Tue, 24 Nov 2026 12:00:00 +0000"
    msg["Authentication-Results"] = (
        f"{AUTHSERV_ID}; dkim=pass header.d=example.test; dmarc=pass header.from=example.test"
    )
    if send.reply_to:  # like real clients: the whole chain, root first
        msg["In-Reply-To"] = send.reply_to
        chain = [send.thread_root] if send.thread_root not in (None, send.reply_to) else []
        msg["References"] = " ".join([*chain, send.reply_to])
    msg.set_content(send.text + "\n")
    if send.attachment:
        msg.add_attachment(PNG_1PX, maintype="image", subtype="png", filename="screenshot.png")
    return bytes(msg)
