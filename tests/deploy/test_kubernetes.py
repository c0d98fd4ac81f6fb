"""deploy/kubernetes: every manifest valid against the Kubernetes schemas (offline, with
kubernetes-validate), the pods locked down, and the arguments ones tuneops accepts."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from tests.helpers import tuneops
from tuneops import __version__
from tuneops.arguments import build_parser

DEPLOY = Path(__file__).parents[2] / "deploy" / "kubernetes"
OVERLAYS = ("cronjob", "watch")
IMAGE = "ghcr.io/tuneops/tuneops"
# The oldest Kubernetes release still supported upstream when this was written, and
# the newest the validator knows.
VERSIONS = ("1.30.0", kubernetes_validate.latest_version())


def kustomization(folder: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((folder / "kustomization.yaml").read_text("utf-8"))
    return loaded


def rendered(folder: Path) -> Iterator[dict[str, Any]]:
    """The resources a kustomization lists, following the folders it includes
    (generated ConfigMaps are checked apart: only kustomize makes them)."""
    for entry in kustomization(folder).get("resources", []):
        path = (folder / entry).resolve()
        assert path.exists(), f"{folder.name}/kustomization.yaml lists {entry}, which is missing"
        if path.is_dir():
            yield from rendered(path)
        else:
            yield from yaml.safe_load_all(path.read_text("utf-8"))


def pod_specs(resource: dict[str, Any]) -> list[dict[str, Any]]:
    if resource["kind"] == "CronJob":
        return [resource["spec"]["jobTemplate"]["spec"]["template"]["spec"]]
    if resource["kind"] == "Deployment":
        return [resource["spec"]["template"]["spec"]]
    return []


def one(overlay: str, kind: str) -> dict[str, Any]:
    [found] = [r for r in rendered(DEPLOY / overlay) if r["kind"] == kind]
    return found


def main_container(pod: dict[str, Any]) -> dict[str, Any]:
    [container] = pod["containers"]
    return container


@pytest.mark.parametrize("overlay", OVERLAYS)
@pytest.mark.parametrize("version", VERSIONS)
def test_every_manifest_is_valid_kubernetes(overlay: str, version: str) -> None:
    resources = list(rendered(DEPLOY / overlay))
    assert {r["kind"] for r in resources} >= {"ServiceAccount"}
    for resource in resources:
        kubernetes_validate.validate(resource, version, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_run_locked_down(overlay: str) -> None:
    pods = [pod for r in rendered(DEPLOY / overlay) for pod in pod_specs(r)]
    assert pods
    for pod in pods:
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["automountServiceAccountToken"] is False
        assert pod["serviceAccountName"] == "tuneops"
        for container in pod["containers"] + pod.get("initContainers", []):
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, container["name"]
            assert context["allowPrivilegeEscalation"] is False, container["name"]
            assert context["capabilities"]["drop"] == ["ALL"], container["name"]
            assert container["resources"]["requests"]["memory"], container["name"]
            assert container["resources"]["limits"]["memory"], container["name"]
            assert container["image"] == IMAGE  # the tag comes from the kustomization
        # A read-only root: every path tuneops writes is a volume.
        mounts = {m["mountPath"] for m in main_container(pod)["volumeMounts"]}
        assert {"/work", "/tmp"} <= mounts


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_image_is_pinned_to_this_version(overlay: str) -> None:
    [image] = kustomization(DEPLOY / overlay)["images"]
    assert image == {"name": IMAGE, "newTag": __version__}
    assert re.fullmatch(r"\d+\.\d+\.\d+", image["newTag"])


def test_the_cronjob_never_overlaps_and_runs_a_reconcile() -> None:
    cronjob = one("cronjob", "CronJob")
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    pod = pod_specs(cronjob)[0]
    args = build_parser().parse_args(main_container(pod)["args"])
    assert (args.command, args.watch, args.write_lock, args.log_format, args.format) == (
        "reconcile",
        False,
        True,
        "json",
        "json",  # stdout one JSON line too: the pod's log is all JSON
    )


def test_the_watch_deployment_probes_and_exposes_what_tuneops_serves() -> None:
    deployment = one("watch", "Deployment")
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}  # never two loops
    template = deployment["spec"]["template"]
    container = main_container(template["spec"])
    args = build_parser().parse_args(container["args"])
    assert (args.command, args.watch, args.metrics_address) == ("reconcile", True, "0.0.0.0")
    assert (args.log_format, args.format) == ("json", "json")
    [port] = container["ports"]
    assert port == {"name": "metrics", "containerPort": args.metrics_port, "protocol": "TCP"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "metrics"}
    annotations = template["metadata"]["annotations"]
    assert annotations == {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": str(args.metrics_port),
        "prometheus.io/path": "/metrics",
    }
    service = one("watch", "Service")
    assert service["spec"]["selector"].items() <= template["metadata"]["labels"].items()
    assert service["spec"]["publishNotReadyAddresses"] is True
    assert service["metadata"]["annotations"] == annotations


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_volumes_name_the_generated_config_maps(overlay: str) -> None:
    generated = {g["name"] for g in kustomization(DEPLOY / "base")["configMapGenerator"]}
    for resource in rendered(DEPLOY / overlay):
        for pod in pod_specs(resource):
            named = {v["configMap"]["name"] for v in pod["volumes"] if "configMap" in v}
            assert named == generated


def test_the_example_project_validates_as_the_pods_lay_it_out(tmp_path: Path) -> None:
    base = DEPLOY / "base"
    files = {Path(f) for g in kustomization(base)["configMapGenerator"] for f in g["files"]}
    (tmp_path / "specs").mkdir()
    for file in files:  # as the init container copies them
        target = tmp_path / ("specs" if file.parent.name == "specs" else "") / file.name
        shutil.copy(base / file, target)
    run = tuneops(f"tuneops -C {tmp_path} validate")
    assert run.code == 0, run.out + run.err


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kustomize_builds_valid_manifests(overlay: str) -> None:
    """What `kubectl apply -k` would send, ConfigMaps and name hashes included."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed: the kustomize build is not checked")
    built = subprocess.run(
        [kubectl, "kustomize", str(DEPLOY / overlay)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    resources = [r for r in yaml.safe_load_all(built) if r]
    for resource in resources:
        kubernetes_validate.validate(resource, VERSIONS[-1], strict=True)
        assert resource["metadata"]["labels"]["app.kubernetes.io/name"] == "tuneops"
    maps = {r["metadata"]["name"] for r in resources if r["kind"] == "ConfigMap"}
    for pod in (pod for r in resources for pod in pod_specs(r)):
        assert {v["configMap"]["name"] for v in pod["volumes"] if "configMap" in v} == maps
        for container in pod["containers"] + pod["initContainers"]:
            assert container["image"] == f"{IMAGE}:{__version__}"
