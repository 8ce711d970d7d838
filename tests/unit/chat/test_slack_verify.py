"""The v0 signature check, table-tested, and cross-checked against slack_sdk's own verifier."""

from __future__ import annotations

import pytest
from slack_sdk.signature import Clock, SignatureVerifier

from chat_gateway.slack.verify import sign, verify
from hotline.http import Rejected

NOW = 1_764_012_000
BODY = b'{"type":"event_callback","team_id":"T1"}'
SECRETS = {"T1": "secret-one", "T2": "secret-two", "T3": "secret-two"}


def headers(ts: int | str = NOW, secret: str = "secret-one", body: bytes = BODY) -> dict[str, str]:
    return {
        "x-slack-request-timestamp": str(ts),
        "x-slack-signature": sign(secret, str(ts), body),
    }


@pytest.mark.parametrize(
    ("hdrs", "body", "reason"),
    [
        ({}, BODY, "missing_timestamp"),
        ({"x-slack-request-timestamp": str(NOW)}, BODY, "missing_signature"),
        (headers(secret="other"), BODY, "bad_signature"),
        (headers(), BODY + b" ", "bad_signature"),
        (headers(NOW - 301), BODY, "stale_timestamp"),
        (headers(NOW + 301), BODY, "stale_timestamp"),
        (headers("17640x2000"), BODY, "bad_timestamp"),
        (headers("-1"), BODY, "bad_timestamp"),
        ({**headers(), "x-slack-signature": "v0=" + "0" * 64}, BODY, "bad_signature"),
        (
            {**headers(), "x-slack-signature": headers()["x-slack-signature"][3:]},
            BODY,
            "bad_signature",
        ),
    ],
)
def test_rejections(hdrs: dict[str, str], body: bytes, reason: str) -> None:
    with pytest.raises(Rejected) as info:
        verify(hdrs, body, SECRETS, NOW)
    assert (info.value.status, info.value.reason) == (401, reason)


@pytest.mark.parametrize("skew", [-300, 0, 300])
def test_accepts_within_tolerance_both_ways(skew: int) -> None:
    assert verify(headers(NOW + skew), BODY, SECRETS, NOW) == ["T1"]


def test_shared_secret_matches_every_team_that_uses_it() -> None:
    assert sorted(verify(headers(secret="secret-two"), BODY, SECRETS, NOW)) == ["T2", "T3"]


class FixedClock(Clock):
    def now(self) -> float:
        return float(NOW)


@pytest.mark.parametrize("skew", [-301, -300, 0, 299, 300, 301])
def test_agrees_with_slack_sdk(skew: int) -> None:
    official = SignatureVerifier("secret-one", clock=FixedClock())
    hdrs = headers(NOW + skew)
    ours = True
    try:
        verify(hdrs, BODY, SECRETS, NOW)
    except Rejected:
        ours = False
    theirs = official.is_valid(BODY, hdrs["x-slack-request-timestamp"], hdrs["x-slack-signature"])
    assert ours == theirs == (abs(skew) <= 300)
