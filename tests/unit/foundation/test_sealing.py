"""Channel-account secrets sealed with Fernet: the key list (newest first) rotates, the dev key
lives only in dev, no key outside dev means no sealer, and no error repeats a key or a value."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr, ValidationError

from hotline.accounts.sealing import DEV_KEY, Sealer, SealError, sealer_for
from hotline.settings import ServiceSettings

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
VALUE = "xoxb-a-slack-bot-token"


def test_a_sealed_value_opens_and_hides_the_value() -> None:
    sealer = Sealer([NEW])
    sealed = sealer.seal(VALUE)
    assert VALUE not in sealed and sealer.open(sealed) == VALUE
    assert sealer.seal(VALUE) != sealed  # a new token every time
    assert repr(sealer) == "Sealer(keys=1)"


def test_a_value_sealed_by_the_old_key_opens_after_rotation_and_reseals_to_the_new() -> None:
    old_token = Sealer([OLD]).seal(VALUE)
    both = Sealer([NEW, OLD])
    assert both.open(old_token) == VALUE and not both.is_current(old_token)
    fresh = both.reseal(old_token)
    assert both.is_current(fresh) and Sealer([NEW]).open(fresh) == VALUE
    assert both.is_current(both.seal(VALUE))  # sealed with the newest


def test_a_value_no_key_opens_is_a_seal_error_that_repeats_nothing() -> None:
    token = Sealer([OLD]).seal(VALUE)
    for bad in (token, "not-a-token", "é"):
        with pytest.raises(SealError) as failed:
            Sealer([NEW]).open(bad)
        assert VALUE not in str(failed.value) and NEW not in str(failed.value)
    with pytest.raises(SealError):
        Sealer([NEW]).reseal(token)


@pytest.mark.parametrize("keys", [[], ["short"], [NEW, NEW[:-4]]])
def test_a_bad_key_list_is_refused_without_repeating_it(keys: list[str]) -> None:
    with pytest.raises(SealError) as failed:
        Sealer(keys)
    assert all(k not in str(failed.value) for k in keys if k)


def test_dev_gets_the_dev_key_and_other_environments_no_sealer_without_a_key() -> None:
    dev = sealer_for(None, "dev")
    assert dev is not None and Sealer([DEV_KEY]).open(dev.seal(VALUE)) == VALUE
    assert sealer_for(None, "prod") is None and sealer_for(None, "test") is None


@pytest.mark.parametrize("env", ["prod", "test"])
def test_the_dev_key_is_refused_outside_dev_even_behind_a_real_one(env: str) -> None:
    with pytest.raises(SealError, match=f"dev key is not allowed in env={env}"):
        sealer_for(SecretStr(f"{NEW},{DEV_KEY}"), env)
    with pytest.raises(ValidationError, match="dev key is not allowed"):
        ServiceSettings(env=env, channel_secrets_key=SecretStr(f"{NEW}, {DEV_KEY}"))


def test_settings_read_the_key_list_newest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_CHANNEL_SECRETS_KEY", f" {NEW} , {OLD} ")
    sealer = ServiceSettings(env="prod").channel_sealer()
    assert sealer is not None and sealer.keys == 2
    assert Sealer([NEW]).open(sealer.seal(VALUE)) == VALUE
    assert ServiceSettings(env="dev").channel_sealer() is not None
    assert NEW not in repr(ServiceSettings(env="prod"))


def test_a_bad_key_in_the_environment_stops_the_settings_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bad = "not-a-fernet-key-but-secret-nonetheless"
    monkeypatch.setenv("HOTLINE_CHANNEL_SECRETS_KEY", f"{NEW},{bad}")
    with pytest.raises(ValidationError, match="key 2 is not a Fernet key") as failed:
        ServiceSettings(env="prod")
    assert bad[-8:] not in str(failed.value) and NEW[-8:] not in str(failed.value)
