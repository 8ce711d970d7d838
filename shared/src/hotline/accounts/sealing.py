"""Channel-account secret values sealed at rest and on the topic (Fernet, AES-128-CBC + HMAC).

``HOTLINE_CHANNEL_SECRETS_KEY``: one or more Fernet keys, comma-separated, newest first. A value
is sealed with the newest key and opens with any listed key, so the key itself can be rotated:
list the new key first and keep the old one until every stored value is sealed with the new
one (the unifier re-seals at start). ``Fernet.generate_key()`` makes a key.

In ``env=dev`` without the variable the published ``DEV_KEY`` is used; it starts with ``dev-``
like every placeholder, so any other environment refuses it. Outside dev without a key there is
no sealer (``sealer_for`` answers None) and the unifier stores no channel account.
Errors here never carry a key or a value.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr

KEY_VARIABLE = "HOTLINE_CHANNEL_SECRETS_KEY"
# Published on purpose (dev stack, tests): never protects anything outside env=dev
DEV_KEY = "dev-hotline-channel-secrets-key-not-secret0="


class SealError(ValueError):
    """A key that is not a Fernet key, or a sealed value no key opens (never says either)."""


class Sealer:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise SealError(f"{KEY_VARIABLE}: no key")
        fernets = []
        for i, key in enumerate(keys):
            try:
                fernets.append(Fernet(key))
            except (ValueError, TypeError):
                raise SealError(
                    f"{KEY_VARIABLE}: key {i + 1} is not a Fernet key "
                    "(32 url-safe base64-encoded bytes)"
                ) from None
        self._newest = fernets[0]
        self._all = MultiFernet(fernets)
        self.keys = len(fernets)

    def seal(self, value: str) -> str:
        """``value`` sealed with the newest key (a new token every time)."""
        return self._all.encrypt(value.encode()).decode("ascii")

    def open(self, token: str) -> str:
        try:
            return self._all.decrypt(token.encode("ascii")).decode()
        except (InvalidToken, UnicodeError):
            raise SealError(f"a sealed value opens with no key of {KEY_VARIABLE}") from None

    def is_current(self, token: str) -> bool:
        """Whether ``token`` is sealed with the newest key (otherwise ``reseal`` it)."""
        try:
            self._newest.decrypt(token.encode("ascii"))
        except (InvalidToken, UnicodeError):
            return False
        return True

    def reseal(self, token: str) -> str:
        """``token`` sealed again with the newest key (raises if no key opens it)."""
        try:
            return self._all.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError):
            raise SealError(f"a sealed value opens with no key of {KEY_VARIABLE}") from None

    def __repr__(self) -> str:
        return f"Sealer(keys={self.keys})"


def parsed_keys(raw: SecretStr) -> list[str]:
    return [k.strip() for k in raw.get_secret_value().split(",") if k.strip()]


def sealer_for(key: SecretStr | None, env: str) -> Sealer | None:
    """The sealer of setting ``key`` (HOTLINE_CHANNEL_SECRETS_KEY) in environment ``env``: the
    dev key in dev when unset, None elsewhere when unset; the dev key refused outside dev."""
    if key is None:
        return Sealer([DEV_KEY]) if env == "dev" else None
    keys = parsed_keys(key)
    if env != "dev" and DEV_KEY in keys:
        raise SealError(f"{KEY_VARIABLE}: the published dev key is not allowed in env={env}")
    return Sealer(keys)
