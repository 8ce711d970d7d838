from __future__ import annotations

import json

import pytest
from pydantic import Field, SecretStr, ValidationError
from typer.testing import CliRunner

from hotline.cli import app
from hotline.settings import ServiceSettings
from hotline.topics import dead_letter_for, load_topics, parse_topics


class WithSecret(ServiceSettings):
    signing_secret: SecretStr = SecretStr("dev-signing-secret")


def test_placeholder_secret_is_fine_in_dev() -> None:
    assert WithSecret(env="dev").signing_secret.get_secret_value() == "dev-signing-secret"


@pytest.mark.parametrize("env", ["test", "prod"])
def test_placeholder_secret_is_refused_outside_dev(env: str) -> None:
    with pytest.raises(ValidationError, match="signing_secret: placeholder secret"):
        WithSecret(env=env)


def test_without_hotline_env_a_service_is_prod_and_refuses_placeholders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A deployment that forgets HOTLINE_ENV must not take the published dev secrets."""
    monkeypatch.delenv("HOTLINE_ENV", raising=False)
    with pytest.raises(ValidationError, match="placeholder secret not allowed in env=prod"):
        WithSecret()
    monkeypatch.setenv("HOTLINE_SIGNING_SECRET", "s3cr3t-from-the-vault")
    assert WithSecret().env == "prod"


def test_dev_is_said_in_the_log(caplog: pytest.LogCaptureFixture) -> None:
    from hotline.http import serve

    def no_server(app: object, **options: object) -> None:
        pass

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("uvicorn.run", no_server)
        mp.setattr("hotline.logs.configure", lambda level: None)
        for env in ("dev", "prod"):
            settings = WithSecret(env=env, signing_secret=SecretStr("s3cr3t-x"))
            serve.serve(None, settings)  # type: ignore[arg-type]
    said = [r.getMessage() for r in caplog.records if r.name == "hotline"]
    assert said == [serve.DEV_WARNING]


class WithSecretList(ServiceSettings):
    secrets: list[SecretStr] = Field(
        default_factory=lambda: [SecretStr("s3cr3t-a"), SecretStr("change-me")]
    )


def test_placeholder_inside_a_list_is_refused_outside_dev() -> None:
    assert len(WithSecretList(env="dev").secrets) == 2
    with pytest.raises(ValidationError, match=r"secrets\[1\]: placeholder secret"):
        WithSecretList(env="prod")


def test_real_secret_is_accepted_and_never_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_SIGNING_SECRET", "s3cr3t-from-the-vault")
    settings = WithSecret(env="prod")
    assert settings.signing_secret.get_secret_value() == "s3cr3t-from-the-vault"
    assert "s3cr3t" not in repr(settings)


def test_settings_are_read_when_built_not_at_import(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_KAFKA_BOOTSTRAP", "127.0.0.1:19092")
    assert ServiceSettings().kafka_bootstrap == "127.0.0.1:19092"


def test_topic_file_declares_a_dlq_for_every_consumed_topic() -> None:
    specs = {t.name: t for t in load_topics()}
    consumed = [n for n in specs if n.startswith(("hotline.inbound.", "hotline.replies."))]
    consumed = [n for n in consumed if not n.endswith(".dlq")]
    assert len(consumed) == 8  # inbound email, chat, social, voice; four replies topics
    for name in consumed:
        dlq = specs[name].dead_letter
        assert dlq in specs, f"{name}: dead-letter topic {dlq} is not declared"
        assert dead_letter_for(name) == dlq


def test_parse_topics_reads_columns() -> None:
    [spec] = parse_topics("# c\n\nt.a  3  1000  t.a.dlq  the purpose text\n")
    assert (spec.name, spec.partitions, spec.retention_ms, spec.dead_letter) == (
        "t.a",
        3,
        1000,
        "t.a.dlq",
    )
    assert spec.purpose == "the purpose text"


runner = CliRunner()


def test_a_compact_retention_makes_a_compacted_topic_that_keeps_everything() -> None:
    plain, compacted = parse_topics("t.a  3  1000  -  x\nt.b  1  compact  -  latest per key\n")
    assert (plain.compacted, plain.configs()) == (False, {"retention.ms": "1000"})
    assert (compacted.compacted, compacted.retention_ms) == (True, -1)
    assert compacted.configs() == {"cleanup.policy": "compact", "retention.ms": "-1"}
    accounts = next(t for t in load_topics() if t.name == "hotline.channel-accounts.v1")
    assert (accounts.compacted, accounts.partitions) == (True, 1)


def test_cli_schema_prints_the_contract() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "MessageReceived" in schema["$defs"]


def test_cli_topics_prints_the_table() -> None:
    result = runner.invoke(app, ["topics"])
    assert result.exit_code == 0
    assert "hotline.inbound.email.dlq" in result.stdout


def test_cli_normalize_help_and_usage_errors() -> None:
    assert runner.invoke(app, ["normalize", "--help"]).exit_code == 0
    assert runner.invoke(app, ["normalize"]).exit_code == 2
    result = runner.invoke(app, ["normalize", "no-such-channel", "README.md"])
    assert result.exit_code == 2
    assert "unknown channel" in result.output


def test_service_commands_are_registered() -> None:
    result = runner.invoke(app, ["rethread", "--help"])
    assert result.exit_code == 0
    assert "rule" in result.output.lower()


class WithAccountSecret(WithSecret):
    ACCOUNT_SECRETS = frozenset({"signing_secret"})


def test_unset_account_secret_outside_dev_means_no_environment_account(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Accounts may all come from the admin API: the placeholder default is then "none",
    never a secret that is accepted; set explicitly to a placeholder it is still refused."""
    monkeypatch.delenv("HOTLINE_SIGNING_SECRET", raising=False)
    assert WithAccountSecret(env="prod").account_secret("signing_secret") is None
    assert WithAccountSecret(env="dev").account_secret("signing_secret") is not None
    with pytest.raises(ValidationError, match="placeholder secret not allowed in env=prod"):
        WithAccountSecret(env="prod", signing_secret=SecretStr("dev-signing"))
    real = WithAccountSecret(env="prod", signing_secret=SecretStr("s3cr3t-from-the-vault"))
    assert real.account_secret("signing_secret") == SecretStr("s3cr3t-from-the-vault")
