"""One customer writing on every channel: provider-shaped, correctly signed requests (pure).

``hotline demo`` and the end-to-end identity test both send these through the real edges, so
what a newcomer sees after ``make run`` is what the test proves.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import urlencode

import jwt
import msgspec

WA_PHONE_NUMBER_ID = "100200300"
TELEGRAM_CHAT = 777000111


@dataclass(frozen=True)
class Persona:
    name: str
    email: str
    phone: str  # E.164
    slack_user: str
    telegram_id: int
    site_user: str  # the host site's own user id (widget identity token ``sub``)
    psid: str = ""  # a Messenger page-scoped id

    @property
    def wa_id(self) -> str:
        return self.phone.removeprefix("+")


MARIA = Persona(
    name="Maria Lopez",
    email="maria@example.test",
    phone="+4917612345678",
    slack_user="UMARIA01",
    telegram_id=5551234,
    site_user="shop-user-42",
)
# Another person of the same name, on Messenger only: a name alone links nobody.
NAMESAKE = Persona(
    name="Maria Lopez",
    email="m.lopez@elsewhere.test",
    phone="+34600111222",
    slack_user="UOTHER01",
    telegram_id=9990001,
    site_user="shop-user-77",
    psid="24680135792468",
)
PAGE_ID = "100555000111"


@dataclass(frozen=True)
class Post:
    path: str
    headers: dict[str, str]
    body: bytes


def _meta(body: bytes, app_secret: str, path: str) -> Post:
    sig = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"X-Hub-Signature-256": f"sha256={sig}", "Content-Type": "application/json"}
    return Post(path, headers, body)


def _whatsapp_value(value: dict[str, object], app_secret: str) -> Post:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": WA_PHONE_NUMBER_ID},
        **value,
    }
    change = {"value": value, "field": "messages"}
    doc = {"object": "whatsapp_business_account", "entry": [{"id": "WABA1", "changes": [change]}]}
    return _meta(msgspec.json.encode(doc), app_secret, "/webhooks/whatsapp")


def whatsapp_text(p: Persona, wamid: str, text: str, app_secret: str, ts: int) -> Post:
    message = {"from": p.wa_id, "id": wamid, "timestamp": str(ts), "type": "text"}
    message["text"] = {"body": text}  # type: ignore[assignment]
    contacts = [{"profile": {"name": p.name}, "wa_id": p.wa_id}]
    return _whatsapp_value({"contacts": contacts, "messages": [message]}, app_secret)


def whatsapp_button_reply(
    p: Persona, wamid: str, reply_id: str, title: str, app_secret: str, ts: int
) -> Post:
    """Her tap on one of our interactive reply buttons (``interactive.button_reply``)."""
    message: dict[str, object] = {"from": p.wa_id, "id": wamid, "timestamp": str(ts)}
    message |= {
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": reply_id, "title": title}},
    }
    contacts = [{"profile": {"name": p.name}, "wa_id": p.wa_id}]
    return _whatsapp_value({"contacts": contacts, "messages": [message]}, app_secret)


def whatsapp_status(p: Persona, wamid: str, status: str, app_secret: str, ts: int) -> Post:
    """A status webhook for one of our outbound messages (sent, delivered, read, failed)."""
    entry = {"id": wamid, "status": status, "timestamp": str(ts), "recipient_id": p.wa_id}
    return _whatsapp_value({"statuses": [entry]}, app_secret)


def messenger_text(p: Persona, mid: str, text: str, app_secret: str, ts: int) -> Post:
    event = {
        "sender": {"id": p.psid},
        "recipient": {"id": PAGE_ID},
        "timestamp": ts * 1000,
        "message": {"mid": mid, "text": text},
    }
    doc = {"object": "page", "entry": [{"id": PAGE_ID, "time": ts * 1000, "messaging": [event]}]}
    return _meta(msgspec.json.encode(doc), app_secret, "/webhooks/messenger")


def messenger_profile(p: Persona) -> dict[str, object]:
    """The Graph API's answer to GET /{psid}?fields=first_name,last_name,profile_pic."""
    first, _, last = p.name.partition(" ")
    return {"first_name": first, "last_name": last, "id": p.psid}


def sms(p: Persona, sid: str, text: str, url: str, auth_token: str, to: str) -> Post:
    """A Twilio inbound SMS: form fields signed over the configured webhook URL."""
    params = [
        ("AccountSid", "AC00000000000000000000000000000000"),
        ("Body", text),
        ("From", p.phone),
        ("MessageSid", sid),
        ("NumMedia", "0"),
        ("To", to),
    ]
    data = url + "".join(k + v for k, v in sorted(params))
    sig = base64.b64encode(hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest())
    headers = {
        "X-Twilio-Signature": sig.decode(),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    return Post("/webhooks/sms", headers, urlencode(params).encode())


def telegram_shared_contact(p: Persona, update_id: int, secret: str, ts: int) -> Post:
    """The customer shares their own contact card: the phone is theirs (user_id = sender)."""
    first, _, last = p.name.partition(" ")
    sender = {"id": p.telegram_id, "is_bot": False, "first_name": first, "last_name": last}
    contact = {
        "phone_number": p.phone.removeprefix("+"),
        "first_name": first,
        "last_name": last,
        "user_id": p.telegram_id,
    }
    message = {
        "message_id": update_id,
        "from": sender,
        "chat": {"id": p.telegram_id, "type": "private", "first_name": first},
        "date": ts,
        "contact": contact,
    }
    body = msgspec.json.encode({"update_id": update_id, "message": message})
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret, "Content-Type": "application/json"}
    return Post("/webhooks/telegram", headers, body)


def slack_message(p: Persona, team: str, ts: str, text: str, secret: str, now: int) -> Post:
    event = {
        "type": "message",
        "channel": "CSUPPORT",
        "user": p.slack_user,
        "text": text,
        "ts": ts,
        "channel_type": "channel",
        "team": team,
    }
    envelope = {
        "token": "x",
        "team_id": team,
        "api_app_id": "ADEMO",
        "event": event,
        "type": "event_callback",
        "event_id": f"Ev{ts.replace('.', '')}",
        "event_time": now,
    }
    body = msgspec.json.encode(envelope)
    sig = hmac.new(secret.encode(), f"v0:{now}:".encode() + body, hashlib.sha256).hexdigest()
    headers = {
        "X-Slack-Signature": f"v0={sig}",
        "X-Slack-Request-Timestamp": str(now),
        "Content-Type": "application/json",
    }
    return Post("/slack/events", headers, body)


def slack_profile(p: Persona) -> dict[str, object]:
    """Slack's ``users.info`` answer for the persona, in the Web API's documented shape."""
    first, _, last = p.name.partition(" ")
    profile = {
        "real_name": p.name,
        "display_name": first,
        "email": p.email,
        "first_name": first,
        "last_name": last,
    }
    user = {"id": p.slack_user, "name": first.lower(), "real_name": p.name, "profile": profile}
    return {"ok": True, "user": user}


def widget_identity(p: Persona, site_secret: str, ttl: int = 3600) -> str:
    """The host site's signed identity for the widget: HS256 JWT over the user's claims."""
    now = int(time.time())
    claims = {"sub": p.site_user, "email": p.email, "phone": p.phone, "name": p.name}
    return jwt.encode({**claims, "iat": now, "exp": now + ttl}, site_secret, algorithm="HS256")


def email(p: Persona, message_id: str, subject: str, text: str, to: str) -> EmailMessage:
    """A plain mail from the persona (sign it, or add a trusted relay's results, to verify)."""
    msg = EmailMessage()
    msg["From"] = f"{p.name} <{p.email}>"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id
    msg["Date"] = formatdate(usegmt=True)
    msg.set_content(text + "\n")
    return msg
