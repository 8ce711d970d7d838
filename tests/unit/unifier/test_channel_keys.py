"""Re-sealing a channel account's secrets with the newest key: only when a value is sealed by
an older one, every value then, each keeping when it was set."""

from __future__ import annotations

from cryptography.fernet import Fernet

from hotline.accounts.sealing import Sealer
from unifier.service.channel_keys import resealed

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def row(secrets: dict[str, list[dict[str, str]]]) -> dict[str, object]:
    return {"tenant": "acme", "kind": "sms", "account_id": "AC1", "secrets": secrets}


def test_values_of_an_older_key_are_sealed_again_with_the_newest() -> None:
    both, old = Sealer([NEW, OLD]), Sealer([OLD])
    stale = {
        "auth_token": [
            {"value": old.seal("b"), "set_at": "t2"},
            {"value": both.seal("a"), "set_at": "t1"},
        ],
        "other": [{"value": both.seal("c"), "set_at": "t0"}],
    }
    fresh = resealed(row(stale), both)
    assert fresh is not None
    assert [(both.open(v["value"]), v["set_at"]) for v in fresh["auth_token"]] == [
        ("b", "t2"),
        ("a", "t1"),
    ]
    assert all(both.is_current(v["value"]) for vs in fresh.values() for v in vs)
    assert resealed(row(fresh), both) is None
    assert resealed(row({}), both) is None
