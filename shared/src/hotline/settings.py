"""Service settings: built in create_app()/bootstrap(), never at import time.

Secrets are SecretStr; placeholder secrets (``dev-…``, ``change-me…``) are rejected outside dev.
The environment is ``prod`` unless ``HOTLINE_ENV`` says otherwise: a deployment that forgets the
variable refuses the published placeholders instead of taking forged webhooks. ``make run`` (the
dev stack) and the test suite set ``dev`` explicitly, and every service says so in its log.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hotline.accounts.sealing import Sealer, sealer_for
from hotline.blobs.config import BlobSettings
from hotline.tenancy import Tenancy

PLACEHOLDER_PREFIXES = ("dev-", "change-me", "changeme", "placeholder", "test-")


def is_placeholder(secret: SecretStr) -> bool:
    value = secret.get_secret_value().strip().lower()
    return not value or value.startswith(PLACEHOLDER_PREFIXES)


class ServiceSettings(BaseSettings, BlobSettings):  # blob_store, blob_s3_*: hotline.blobs
    # hide_input_in_errors: a refused setting's error must not echo the environment (keys)
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_", extra="ignore", hide_input_in_errors=True
    )

    env: Literal["dev", "test", "prod"] = "prod"
    service: str = "hotline"
    kafka_bootstrap: str = "127.0.0.1:9092"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"
    max_body_bytes: int = 1024 * 1024
    ack_timeout: float = 5.0
    linger_ms: int = 5
    default_tenant: str = "default"
    tenants: dict[str, str] = {}  # "kind:account" -> tenant (hotline.tenancy); JSON in the env
    gc_threshold: int = 50_000  # young-generation GC threshold; 0 = Python's default (700)
    cpu_nice: int = Field(0, ge=0, le=19)  # lowers CPU priority on a shared host (hotline.priority)
    # Secrets of the environment's own channel account (hotline.accounts' fallback). Outside dev
    # one left at its placeholder default means "no such account here" (the edge answers 404),
    # so a deployment whose accounts all come from the admin API sets none of them; one set
    # explicitly to a placeholder is still refused.
    ACCOUNT_SECRETS: ClassVar[frozenset[str]] = frozenset()
    # Fernet keys sealing channel-account secrets, comma-separated, newest first
    # (hotline.accounts.sealing); unset: the published dev key in dev, no sealer elsewhere
    channel_secrets_key: SecretStr | None = None

    def tenancy(self) -> Tenancy:
        return Tenancy(dict(self.tenants), self.default_tenant)

    def channel_sealer(self) -> Sealer | None:
        """Seals and opens channel-account secrets; None outside dev without a key."""
        return sealer_for(self.channel_secrets_key, self.env)

    def account_secret(self, name: str) -> SecretStr | None:
        """Account secret ``name`` (one of ACCOUNT_SECRETS) or None when it is not configured:
        a placeholder outside dev. Build the environment's fallback accounts through this."""
        value: SecretStr = getattr(self, name)
        return None if self.env != "dev" and is_placeholder(value) else value

    def account_secret_value(self, name: str) -> str | None:
        """``account_secret``'s plain value, as an ``Account``'s secrets hold it."""
        value = self.account_secret(name)
        return None if value is None else value.get_secret_value()

    def _unset_account_secret(self, name: str) -> bool:
        return name in self.ACCOUNT_SECRETS and name not in self.model_fields_set

    @model_validator(mode="after")
    def _tenant_keys_name_accounts(self) -> ServiceSettings:
        bad = self.tenancy().problems()
        if bad:
            raise ValueError(f"tenants: keys must be 'kind:account' or 'kind:*', got {bad}")
        return self

    @model_validator(mode="after")
    def _channel_secrets_key_is_usable(self) -> ServiceSettings:
        self.channel_sealer()  # a SealError names the problem, never the key
        return self

    @model_validator(mode="after")
    def _no_placeholder_secrets_outside_dev(self) -> ServiceSettings:
        if self.env == "dev":
            return self
        for name in type(self).model_fields:
            if self._unset_account_secret(name):
                continue
            for where, secret in _secrets(name, getattr(self, name)):
                if is_placeholder(secret):
                    raise ValueError(f"{where}: placeholder secret not allowed in env={self.env}")
        return self


def _secrets(name: str, value: object) -> list[tuple[str, SecretStr]]:
    """The SecretStr values in a setting: itself, or inside a list or dict."""
    if isinstance(value, SecretStr):
        return [(name, value)]
    if isinstance(value, list):
        return [(f"{name}[{i}]", v) for i, v in enumerate(value) if isinstance(v, SecretStr)]
    if isinstance(value, dict):
        return [(f"{name}[{k}]", v) for k, v in value.items() if isinstance(v, SecretStr)]
    return []
