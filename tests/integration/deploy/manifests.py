"""The deploy manifests as data, their validators, and the settings classes they configure.

Real validators only: ``kubernetes_validate`` (the official Kubernetes JSON schemas, strict) and
``tools/compose-check`` (compose-go, the Compose Specification's loader), built by the Makefile.
"""

from __future__ import annotations

import json
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any, get_args

import kubernetes_validate
import yaml
from pydantic import BaseModel, SecretStr

from chat_gateway.settings import ChatSettings
from email_ingest.settings import EmailSettings
from hotline.settings import ServiceSettings
from social_ingest.settings import SocialSettings
from unifier.settings import UnifierSettings
from voice.settings import VoiceSettings

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
K8S = sorted((DEPLOY / "k8s").glob("*.yaml"))
SECRETS_EXAMPLE = DEPLOY / "secrets.example"
COMPOSE_CHECK = "var/bin/compose-check"  # the Makefile's target
K8S_VERSION = "1.37.0"  # the newest the installed kubernetes-validate knows
HOTLINE_IMAGES = ("ghcr.io/hotline/hotline:", "hotline:local")

# `python -m <module>` -> the settings class that module's service builds
SETTINGS: dict[str, type[ServiceSettings]] = {
    "email_ingest": EmailSettings,
    "chat_gateway": ChatSettings,
    "social_ingest": SocialSettings,
    "unifier": UnifierSettings,
    "voice": VoiceSettings,
}
# str settings that carry a credential (a DSN with its password): secrets though not SecretStr
CREDENTIAL_STRINGS = {UnifierSettings: {"database_url"}}

Doc = dict[str, Any]


def settings_for(command: list[str]) -> type[ServiceSettings]:
    """The class a Hotline container's command reads: its service's, or the shared one (the
    topics job, ``python -c`` with ServiceSettings)."""
    if command[:2] == ["python", "-m"]:
        return SETTINGS[command[2]]
    assert command[:2] == ["python", "-c"] and "ServiceSettings()" in command[2], command
    return ServiceSettings


def env_name(cls: type[ServiceSettings], field: str) -> str:
    return f"{cls.model_config.get('env_prefix', '')}{field}".upper()


def env_names(cls: type[ServiceSettings]) -> set[str]:
    """The environment variables the class reads (env_prefix HOTLINE_, one per field)."""
    return {env_name(cls, name) for name in cls.model_fields}


def secret_names(cls: type[ServiceSettings]) -> set[str]:
    """The variables that hold a secret: a SecretStr anywhere in the field's type, or a
    credential string."""
    credential = set().union(*(v for k, v in CREDENTIAL_STRINGS.items() if issubclass(cls, k)))
    return {
        env_name(cls, name)
        for name, field in cls.model_fields.items()
        if _holds_secret(field.annotation) or name in credential
    }


def _holds_secret(annotation: object) -> bool:
    if annotation is SecretStr:
        return True
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return any(_holds_secret(f.annotation) for f in annotation.model_fields.values())
    return any(_holds_secret(arg) for arg in get_args(annotation))


def is_hotline(image: str) -> bool:
    return image.startswith(HOTLINE_IMAGES)


# --- secrets example files ------------------------------------------------------------------


def example_file(stem: str) -> Path:
    return SECRETS_EXAMPLE / f"{stem}.env"


def example_values(stem: str) -> dict[str, str]:
    """KEY=VALUE lines of a secrets example file (values as-is, as compose and kubectl read)."""
    lines = example_file(stem).read_text().splitlines()
    pairs = [line.split("=", 1) for line in lines if line and not line.startswith("#")]
    return {key: value for key, value in pairs}


def example_optional_keys(stem: str) -> set[str]:
    """Keys shown commented out (``# HOTLINE_X=...``): optional secrets."""
    return set(re.findall(r"^# (HOTLINE_\w+)=", example_file(stem).read_text(), re.M))


def filled_in(values: dict[str, str]) -> dict[str, str]:
    """The example values as an operator fills them in: every change-me replaced."""
    return {k: v.replace("change-me", "s3cr3t-from-the-vault") for k, v in values.items()}


# --- Kubernetes -----------------------------------------------------------------------------


def k8s_docs(path: Path) -> list[Doc]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def k8s_all() -> list[Doc]:
    return [doc for path in K8S for doc in k8s_docs(path)]


def k8s_problems(docs: list[Doc]) -> list[str]:
    """What the official schemas (strict: no unknown fields) reject; empty when all is valid."""
    problems = []
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            problems.append(f"{doc['kind']}/{doc['metadata']['name']}: {exc.message}")
    return problems


def pod_templates(docs: list[Doc]) -> list[tuple[Doc, Doc]]:
    """(workload, pod spec) of every Deployment and StatefulSet."""
    kinds = ("Deployment", "StatefulSet")
    return [(d, d["spec"]["template"]["spec"]) for d in docs if d["kind"] in kinds]


def containers(pod: Doc) -> list[Doc]:
    return [*pod.get("initContainers", []), *pod["containers"]]


def config_map(docs: list[Doc], name: str) -> dict[str, str]:
    [data] = [d["data"] for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"] == name]
    return dict(data)


# --- Compose --------------------------------------------------------------------------------


@cache
def compose_check_binary() -> Path:
    """tools/compose-check, built by the Makefile when missing or older than its source."""
    subprocess.run(["make", "--no-print-directory", "-s", COMPOSE_CHECK], cwd=ROOT, check=True)
    return ROOT / COMPOSE_CHECK


def compose_check(*paths: Path, flags: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    cmd = [str(compose_check_binary()), *flags, *map(str, paths)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)


def compose_env_files(paths: list[Path]) -> dict[str, dict[str, str]]:
    """The files as compose reads an env_file (compose-go's dotenv parser), by path."""
    done = compose_check(*paths, flags=("-env-files",))
    assert done.returncode == 0, done.stderr
    read: dict[str, dict[str, str]] = json.loads(done.stdout)
    return read


def compose_project(path: Path = COMPOSE) -> Doc:
    """The project as compose-go loads it (anchors, merge keys and defaults resolved)."""
    done = compose_check(path, flags=("-json",))
    assert done.returncode == 0, done.stderr
    project: Doc = json.loads(done.stdout)
    return project
