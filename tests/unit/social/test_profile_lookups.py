"""Profile lookups per provider (pure): the GET each builds, and answers -> a profile or none."""

from __future__ import annotations

import json

import pytest

from social_ingest.profile_cache import Profile
from social_ingest.profile_sources import sources
from social_ingest.providers.messenger import profile as meta
from social_ingest.providers.x import profile as x
from social_ingest.settings import SocialSettings

PIC = "https://cdn.example/p/1.jpg"


def test_requests_per_provider_carry_the_token_in_a_header_never_in_the_url() -> None:
    settings = SocialSettings(meta_api_base="http://meta", x_api_base="http://x/2")
    table = sources(settings)
    assert set(table) == {"messenger", "instagram", "x"}  # no WhatsApp, SMS, Telegram lookups
    calls = {kind: table[kind].request("123", f"{kind[0]}-tok") for kind in table}
    assert calls["messenger"].url == "http://meta/123?fields=first_name,last_name,profile_pic"
    assert calls["instagram"].url == "http://meta/123?fields=name,username,profile_pic"
    assert calls["x"].url == "http://x/2/users/123?user.fields=name,profile_image_url"
    assert calls["messenger"].headers == {"authorization": "Bearer m-tok"}  # the account's
    assert calls["instagram"].headers == {"authorization": "Bearer i-tok"}
    assert calls["x"].headers == {"authorization": "Bearer x-tok"}
    assert all("tok" not in c.url for c in calls.values())


@pytest.mark.parametrize("user_id", ["../me/messages", "1?fields=access_token", "a b#c", "a/b"])
def test_user_ids_cannot_steer_the_request_elsewhere(user_id: str) -> None:
    for call in (
        meta.request(user_id, "http://m", "t", "name"),
        x.request(user_id, "http://x", "t"),
    ):
        path = call.url.split("://", 1)[1].split("?", 1)[0]
        assert path.count("/") == (2 if "/users/" in call.url else 1), call.url
        assert call.url.count("?") == 1 and "#" not in call.url


def body(doc: object) -> bytes:
    return json.dumps(doc).encode()


MESSENGER = [
    (
        "full",
        200,
        body({"first_name": "Ada", "last_name": "Lovelace", "profile_pic": PIC}),
        Profile("Ada Lovelace", PIC),
    ),
    ("first name only", 200, body({"first_name": "Ada", "id": "1"}), Profile("Ada", None)),
    ("picture only", 200, body({"profile_pic": PIC}), Profile(None, PIC)),
    (
        "blank names",
        200,
        body({"first_name": "  ", "last_name": "", "profile_pic": PIC}),
        Profile(None, PIC),
    ),
    (
        "non-http picture",
        200,
        body({"first_name": "Ada", "profile_pic": "javascript:alert(1)"}),
        Profile("Ada", None),
    ),
    ("error object", 400, body({"error": {"code": 100, "message": "no such user"}}), None),
    ("2xx error object", 200, body({"error": {"code": 190}}), None),
    ("server error", 500, body({"first_name": "Ada"}), None),
    ("not json", 200, b"<html>oops</html>", None),
    ("empty body", 200, b"", None),
    ("a list", 200, body([{"first_name": "Ada"}]), None),
    ("a string", 200, body("Ada"), None),
    (
        "names of wrong type",
        200,
        body({"first_name": 7, "last_name": ["x"], "profile_pic": 1}),
        None,
    ),
    ("huge name", 200, body({"first_name": "A" * 5000}), None),
]
INSTAGRAM = [
    (
        "name and pic",
        200,
        body({"name": "Ada L", "username": "ada", "profile_pic": PIC}),
        Profile("Ada L", PIC),
    ),
    ("username fallback", 200, body({"username": "ada", "name": ""}), Profile("ada", None)),
    ("nothing usable", 200, body({"id": "17841"}), None),
    ("permission error", 403, body({"error": {"code": 230}}), None),
    ("truncated json", 200, b'{"name": "Ad', None),
]
X = [
    (
        "name and image",
        200,
        body({"data": {"id": "1", "name": "Jo", "profile_image_url": PIC}}),
        Profile("Jo", PIC),
    ),
    ("unknown user", 200, body({"errors": [{"title": "Not Found Error"}]}), None),
    ("data a list", 200, body({"data": [{"name": "Jo"}]}), None),
    ("unauthorized", 401, body({"title": "Unauthorized"}), None),
    ("rate limited", 429, b"", None),
    (
        "image not a url",
        200,
        body({"data": {"name": "Jo", "profile_image_url": "ftp://x"}}),
        Profile("Jo", None),
    ),
]


@pytest.mark.parametrize(
    ("case", "status", "raw", "want"), MESSENGER, ids=[c[0] for c in MESSENGER]
)
def test_messenger_answers(case: str, status: int, raw: bytes, want: Profile | None) -> None:
    assert meta.read_messenger(status, raw) == want


@pytest.mark.parametrize(
    ("case", "status", "raw", "want"), INSTAGRAM, ids=[c[0] for c in INSTAGRAM]
)
def test_instagram_answers(case: str, status: int, raw: bytes, want: Profile | None) -> None:
    assert meta.read_instagram(status, raw) == want


@pytest.mark.parametrize(("case", "status", "raw", "want"), X, ids=[c[0] for c in X])
def test_x_answers(case: str, status: int, raw: bytes, want: Profile | None) -> None:
    assert x.read(status, raw) == want
