"""The manifests have the shape issue 22 asks for: Kafka (KRaft, the tested 4.x version),
PostgreSQL, the three edges and several unifiers in one consumer group on PostgreSQL, each
Hotline service probed on /healthz and /readyz of the port its settings listen on."""

from __future__ import annotations

import base64
import re

import pytest

from tests.integration.deploy.manifests import (
    DEPLOY,
    SETTINGS,
    Doc,
    compose_project,
    example_values,
    k8s_all,
    pod_templates,
    settings_for,
)

pytestmark = pytest.mark.integration


def _tested_kafka_version() -> str:
    pom = (DEPLOY / "kafka" / "pom.xml").read_text()
    found = re.search(r"<kafka\.version>([^<]+)</kafka\.version>", pom)
    assert found
    return found.group(1)


def _k8s_env(container: Doc) -> dict[str, str]:
    return {e["name"]: e.get("value", "") for e in container.get("env", [])}


def _port_of(module: str) -> int:
    default = SETTINGS[module].model_fields["port"].default
    assert isinstance(default, int)
    return default


def test_kafka_is_one_kraft_node_of_the_tested_version() -> None:
    image = f"apache/kafka:{_tested_kafka_version()}"
    compose = compose_project()["services"]["kafka"]
    [k8s] = [
        c for _, pod in pod_templates(k8s_all()) for c in pod["containers"] if c["name"] == "kafka"
    ]
    for image_used, env in (
        (compose["image"], compose["environment"]),
        (k8s["image"], _k8s_env(k8s)),
    ):
        assert image_used == image
        assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
        assert not [k for k in env if "ZOOKEEPER" in k]
        assert len(base64.urlsafe_b64decode(env["CLUSTER_ID"] + "==")) == 16  # a Kafka Uuid
        assert env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"  # topics from deploy/kafka/topics


def test_kubernetes_unifier_is_several_instances_in_one_group_on_postgresql() -> None:
    [(unifier, pod)] = [
        (w, p) for w, p in pod_templates(k8s_all()) if w["metadata"]["name"] == "unifier"
    ]
    assert unifier["kind"] == "Deployment" and unifier["spec"]["replicas"] >= 2
    [container] = pod["containers"]
    env = {e["name"]: e for e in container["env"]}
    assert env["HOTLINE_GROUP_ID"]["value"]  # one group for all replicas
    instance = env["HOTLINE_INSTANCE_ID"]["valueFrom"]["fieldRef"]["fieldPath"]
    assert instance == "metadata.name"  # distinct per pod
    assert env["HOTLINE_DATABASE_URL"]["valueFrom"]["secretKeyRef"]["name"] == "hotline-unifier"
    dsn = example_values("unifier")["HOTLINE_DATABASE_URL"]
    password = example_values("postgres")["POSTGRES_PASSWORD"]
    assert dsn == f"postgresql://hotline:{password}@postgres:5432/hotline"  # peers.yaml's


def test_compose_unifiers_are_several_instances_in_one_group_on_postgresql() -> None:
    services = compose_project()["services"]
    unifiers = [s for s in services.values() if s.get("command") == ["python", "-m", "unifier"]]
    assert len(unifiers) >= 2
    assert len({u["environment"]["HOTLINE_GROUP_ID"] for u in unifiers}) == 1
    assert len({u["environment"]["HOTLINE_INSTANCE_ID"] for u in unifiers}) == len(unifiers)
    for u in unifiers:
        assert u["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["postgres"]["image"].startswith("postgres:")


def test_kubernetes_services_are_probed_and_bounded() -> None:
    seen = set()
    for _, pod in pod_templates(k8s_all()):
        for c in pod["containers"]:
            if c.get("command", [])[:2] == ["python", "-m"]:
                _check_probes(c)
                seen.add(c["command"][2])
            assert {"cpu", "memory"} <= set(c["resources"]["requests"]), c["name"]
            assert "memory" in c["resources"]["limits"], c["name"]
    assert seen == set(SETTINGS)


def _check_probes(container: Doc) -> None:
    [http] = [p for p in container["ports"] if p["name"] == "http"]
    assert http["containerPort"] == _port_of(container["command"][2])
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        assert container[probe]["httpGet"] == {"path": path, "port": "http"}, probe


def test_compose_healthchecks_ask_readyz_on_the_settings_port() -> None:
    for name, service in compose_project()["services"].items():
        command = service.get("command") or []
        if command[:2] == ["python", "-m"]:
            port = _port_of(command[2])
            assert f"http://127.0.0.1:{port}/readyz" in " ".join(service["healthcheck"]["test"])
            assert settings_for(command) is SETTINGS[command[2]], name


def test_kubernetes_selectors_and_ports_line_up() -> None:
    docs = k8s_all()
    workloads = pod_templates(docs)
    for w, _ in workloads:
        labels = w["spec"]["template"]["metadata"]["labels"]
        assert w["spec"]["selector"]["matchLabels"].items() <= labels.items()
    for svc in [d for d in docs if d["kind"] == "Service"]:
        selector = svc["spec"]["selector"].items()
        [pod] = [
            p
            for w, p in workloads
            if selector <= w["spec"]["template"]["metadata"]["labels"].items()
        ]
        names = {p.get("name") for c in pod["containers"] for p in c["ports"]}
        for port in svc["spec"]["ports"]:
            assert port["targetPort"] in names, (svc["metadata"]["name"], port)


def test_kubernetes_claims_and_budgets_name_what_exists() -> None:
    docs = k8s_all()
    claims = {d["metadata"]["name"] for d in docs if d["kind"] == "PersistentVolumeClaim"}
    for _, pod in pod_templates(docs):
        for volume in pod.get("volumes", []):
            if "persistentVolumeClaim" in volume:
                assert volume["persistentVolumeClaim"]["claimName"] in claims
    [budget] = [d for d in docs if d["kind"] == "PodDisruptionBudget"]
    [unifier] = [w for w, _ in pod_templates(docs) if w["metadata"]["name"] == "unifier"]
    assert budget["spec"]["selector"] == unifier["spec"]["selector"]
    assert budget["spec"]["minAvailable"] < unifier["spec"]["replicas"]
