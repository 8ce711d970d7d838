"""Every HOTLINE_* name in the manifests and the secrets files is a real setting of the service
it configures (a renamed or removed setting fails here), secrets come only from Secrets / env
files, and each service's settings load from what the manifests give it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from hotline.settings import ServiceSettings
from tests.integration.deploy.manifests import (
    DEPLOY,
    SECRETS_EXAMPLE,
    SETTINGS,
    Doc,
    compose_env_files,
    compose_project,
    config_map,
    containers,
    env_names,
    example_optional_keys,
    example_values,
    filled_in,
    is_hotline,
    k8s_all,
    pod_templates,
    secret_names,
    settings_for,
)

pytestmark = pytest.mark.integration

ALL_SECRETS = set().union(*(secret_names(cls) for cls in SETTINGS.values()))


def _k8s_names(container: Doc, docs: list[Doc]) -> list[str]:
    """Every variable a container gets: its env, and the ConfigMaps it takes whole."""
    names = [e["name"] for e in container.get("env", [])]
    for source in container.get("envFrom", []):
        assert "secretRef" not in source, "secrets one by one (secretKeyRef), never whole"
        names += config_map(docs, source["configMapRef"]["name"])
    return names


def test_every_hotline_name_in_kubernetes_is_a_setting_of_its_container() -> None:
    docs, wrong = k8s_all(), []
    for _, pod in pod_templates(docs):
        for c in containers(pod):
            names = _k8s_names(c, docs)
            if not is_hotline(c["image"]):
                wrong += [(c["name"], n) for n in names if n.startswith("HOTLINE_")]
                continue
            known = env_names(settings_for(c["command"]))
            wrong += [(c["name"], n) for n in names if n not in known]
    assert wrong == []


def test_kubernetes_secrets_come_only_from_the_services_secret() -> None:
    docs, checked = k8s_all(), 0
    assert not ALL_SECRETS & set(config_map(docs, "hotline-config"))
    for _, pod in pod_templates(docs):
        for c in containers(pod):
            if is_hotline(c["image"]) and c["command"][:2] == ["python", "-m"]:
                checked += _check_secret_refs(c["command"][2], c.get("env", []))
    assert checked == len(SETTINGS)


def _check_secret_refs(module: str, env: list[Doc]) -> int:
    secrets, stem = secret_names(SETTINGS[module]), module
    given = [e for e in env if e["name"] in secrets]
    assert all("secretKeyRef" in e.get("valueFrom", {}) for e in given), "a secret in the clear"
    refs = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in given}
    for name, ref in refs.items():
        assert ref["name"] == "hotline-" + stem.replace("_", "-") and ref["key"] == name
        listed = set(example_values(stem))
        listed |= example_optional_keys(stem) if ref.get("optional") else set()
        assert name in listed, f"{name} not in deploy/secrets.example/{stem}.env"
    assert set(example_values(stem)) <= set(refs), "a secret of the example is not passed on"
    return 1


def test_every_hotline_name_in_compose_is_a_setting_and_no_secret() -> None:
    wrong = []
    for name, service in compose_project()["services"].items():
        env = service.get("environment") or {}
        if not is_hotline(service["image"]):
            wrong += [(name, n) for n in env if n.startswith("HOTLINE_")]
            continue
        cls = settings_for(service["command"])
        wrong += [(name, n) for n in env if n not in env_names(cls) or n in ALL_SECRETS]
    assert wrong == []


def test_compose_takes_each_services_secrets_from_its_own_env_file() -> None:
    services, modules = compose_project()["services"], set()
    for name, service in services.items():
        paths = [Path(e["path"]) for e in service.get("env_file") or []]
        assert all(p.parent == DEPLOY / "secrets" for p in paths), paths
        command = service.get("command") or []
        if command[:2] == ["python", "-m"]:
            assert [p.stem for p in paths] == [command[2]], name
            modules.add(command[2])
    assert modules == set(SETTINGS)
    assert [Path(e["path"]).stem for e in services["postgres"]["env_file"]] == ["postgres"]
    assert set(example_values("postgres")) == {"POSTGRES_PASSWORD"}


def test_compose_reads_the_secrets_examples_as_kubectl_does() -> None:
    """kubectl --from-env-file takes each value as-is; compose's dotenv parser must agree (the
    JSON values are not quoted, so neither strips or expands anything)."""
    files = sorted(SECRETS_EXAMPLE.glob("*.env"))
    read = compose_env_files(files)
    assert {Path(p).stem: v for p, v in read.items()} == {
        f.stem: example_values(f.stem) for f in files
    }


@pytest.mark.parametrize("module", SETTINGS)
def test_secrets_examples_hold_only_secret_settings(module: str) -> None:
    keys = set(example_values(module)) | example_optional_keys(module)
    assert keys and keys <= secret_names(SETTINGS[module])


def _load(module: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> ServiceSettings:
    """The module's settings built from exactly ``env`` (nothing from this process)."""
    with monkeypatch.context() as m:
        for key in [k for k in os.environ if k.startswith("HOTLINE_")]:
            m.delenv(key)
        for key, value in env.items():
            m.setenv(key, value)
        return SETTINGS[module]()


@pytest.mark.parametrize("module", SETTINGS)
def test_unedited_secrets_examples_are_refused_in_prod(
    module: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    examples = example_values(module)
    with pytest.raises(ValidationError, match="placeholder secret not allowed"):
        _load(module, {**examples, "HOTLINE_ENV": "prod"}, monkeypatch)
    settings = _load(module, {**examples, "HOTLINE_ENV": "dev"}, monkeypatch)  # shapes parse
    assert {f"HOTLINE_{f}".upper() for f in settings.model_fields_set} >= set(examples)


@pytest.mark.parametrize("module", SETTINGS)
def test_compose_settings_load_in_prod(module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = filled_in(example_values(module))
    services = [
        s
        for s in compose_project()["services"].values()
        if s.get("command") == ["python", "-m", module]
    ]
    assert services
    for service in services:
        settings = _load(module, {**service["environment"], **secrets}, monkeypatch)
        assert settings.env == "prod" and settings.host == "0.0.0.0"


@pytest.mark.parametrize("module", SETTINGS)
def test_kubernetes_settings_load_in_prod(module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = k8s_all()
    [container] = [
        c
        for _, pod in pod_templates(docs)
        for c in pod["containers"]
        if c.get("command") == ["python", "-m", module]
    ]
    env = config_map(docs, "hotline-config") | filled_in(example_values(module))
    for entry in container["env"]:
        source = entry.get("valueFrom", {})
        if "fieldRef" in source:  # the pod's name: HOTLINE_INSTANCE_ID
            assert source["fieldRef"]["fieldPath"] == "metadata.name"
            env[entry["name"]] = f"{module}-5d8f7c9b4-x2x7q"
        elif "value" in entry:
            env[entry["name"]] = entry["value"]
    settings = _load(module, env, monkeypatch)
    assert settings.env == "prod" and settings.host == "0.0.0.0"
