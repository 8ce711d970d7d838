"""X API v2 user lookup: GET /users/{id}?user.fields=name,profile_image_url (bearer token)."""

from __future__ import annotations

from urllib.parse import quote

from social_ingest.outbound import Call
from social_ingest.profile_cache import Profile
from social_ingest.profiles import document, profile, text

FIELDS = "name,profile_image_url"


def request(user_id: str, base: str, token: str) -> Call:
    url = f"{base}/users/{quote(user_id, safe='')}?user.fields={FIELDS}"
    return Call(url, headers={"authorization": f"Bearer {token}"})


def read(status: int, body: bytes) -> Profile | None:
    """X answers an unknown user with 200 and ``errors`` instead of ``data``: no profile."""
    doc = document(status, body)
    return profile(text(doc, "data", "name"), text(doc, "data", "profile_image_url"))
