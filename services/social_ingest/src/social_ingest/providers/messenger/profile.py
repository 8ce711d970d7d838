"""Messenger / Instagram user profiles through the Graph API: GET /{psid | igsid}?fields=...

The page token goes in the Authorization header, never in the URL (URLs end up in logs).
"""

from __future__ import annotations

from urllib.parse import quote

from social_ingest.outbound import Call
from social_ingest.profile_cache import Profile
from social_ingest.profiles import document, profile, text

MESSENGER_FIELDS = "first_name,last_name,profile_pic"
INSTAGRAM_FIELDS = "name,username,profile_pic"


def request(user_id: str, base: str, token: str, fields: str) -> Call:
    url = f"{base}/{quote(user_id, safe='')}?fields={fields}"
    return Call(url, headers={"authorization": f"Bearer {token}"})


def read_messenger(status: int, body: bytes) -> Profile | None:
    doc = document(status, body)
    parts = (text(doc, "first_name"), text(doc, "last_name"))
    return profile(" ".join(p for p in parts if p) or None, text(doc, "profile_pic"))


def read_instagram(status: int, body: bytes) -> Profile | None:
    doc = document(status, body)
    return profile(text(doc, "name") or text(doc, "username"), text(doc, "profile_pic"))
