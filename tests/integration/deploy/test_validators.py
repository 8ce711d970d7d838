"""The real validators accept the shipped manifests and reject broken copies of them.

Each broken copy differs from a copy the validator accepts by one field, so a rejection is that
field's doing (and a validator that accepted anything would fail here).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.integration.deploy.manifests import (
    COMPOSE,
    K8S,
    Doc,
    compose_check,
    k8s_all,
    k8s_docs,
    k8s_problems,
)

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("path", K8S, ids=lambda p: p.name)
def test_kubernetes_manifests_pass_the_official_schemas_strictly(path: Path) -> None:
    docs = k8s_docs(path)
    assert docs
    assert k8s_problems(docs) == []


def test_compose_file_loads_with_compose_go() -> None:
    done = compose_check(COMPOSE)
    assert done.returncode == 0, done.stderr
    assert "valid" in done.stdout


def _k8s_unifier(docs: list[Doc]) -> Doc:
    [unifier] = [
        d for d in docs if d["kind"] == "Deployment" and d["metadata"]["name"] == "unifier"
    ]
    return unifier


def _unifier_copy() -> list[Doc]:
    """The unifier's Deployment alone (each validation loads the schemas: keep it to one)."""
    return [copy.deepcopy(_k8s_unifier(k8s_all()))]


def _unknown_container_field(docs: list[Doc]) -> None:
    _k8s_unifier(docs)["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"


def _replicas_as_words(docs: list[Doc]) -> None:
    _k8s_unifier(docs)["spec"]["replicas"] = "two"


def _probe_without_handler_type(docs: list[Doc]) -> None:
    container = _k8s_unifier(docs)["spec"]["template"]["spec"]["containers"][0]
    container["readinessProbe"]["httpGet"] = {"path": "/readyz"}  # port is required


def _secret_ref_without_key(docs: list[Doc]) -> None:
    container = _k8s_unifier(docs)["spec"]["template"]["spec"]["containers"][0]
    [ref] = [e for e in container["env"] if e["name"] == "HOTLINE_DATABASE_URL"]
    del ref["valueFrom"]["secretKeyRef"]["key"]


@pytest.mark.parametrize(
    "breakage",
    [
        _unknown_container_field,
        _replicas_as_words,
        _probe_without_handler_type,
        _secret_ref_without_key,
    ],
)
def test_kubernetes_validator_rejects_a_broken_copy(breakage: Callable[[list[Doc]], None]) -> None:
    docs = _unifier_copy()
    assert k8s_problems(docs) == []
    breakage(docs)
    problems = k8s_problems(docs)
    assert len(problems) == 1 and problems[0].startswith("Deployment/unifier: "), problems


def _unknown_service_field(compose: Doc) -> None:
    compose["services"]["unifier-1"]["replica_count"] = 2


def _replicas_as_words_compose(compose: Doc) -> None:
    compose["services"]["unifier-2"]["deploy"] = {"replicas": "two"}


def _depends_on_missing_service(compose: Doc) -> None:
    compose["services"]["unifier-1"]["depends_on"]["postgresql"] = {"condition": "service_healthy"}


def _healthcheck_interval_not_a_duration(compose: Doc) -> None:
    compose["services"]["chat_gateway"]["healthcheck"]["interval"] = "soon"


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (_unknown_service_field, "replica_count"),
        (_replicas_as_words_compose, "replicas"),
        (_depends_on_missing_service, "postgresql"),
        (_healthcheck_interval_not_a_duration, "soon"),
    ],
)
def test_compose_validator_rejects_a_broken_copy(
    tmp_path: Path, breakage: Callable[[Doc], None], expected: str
) -> None:
    compose = yaml.safe_load(COMPOSE.read_text())  # merge keys and anchors resolved
    intact, broken = tmp_path / "intact.yaml", tmp_path / "broken.yaml"
    intact.write_text(yaml.safe_dump(compose))
    breakage(compose)
    broken.write_text(yaml.safe_dump(compose))
    assert compose_check(intact).returncode == 0, compose_check(intact).stderr
    done = compose_check(broken)
    assert done.returncode == 1
    assert expected in done.stderr, done.stderr
