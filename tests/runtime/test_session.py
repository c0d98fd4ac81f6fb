"""How a session reaches each service: tuneops.yaml and the environment, read in one place."""

from __future__ import annotations

from typing import Any

import pytest

from tuneops.backends.construction import ClientSettings
from tuneops.project.settings import ProjectConfig
from tuneops.runtime.session import Reach, reaches
from tuneops.specs.kinds import BackendKind as Kind


def _config(**sections: Any) -> ProjectConfig:
    return ProjectConfig.model_validate({"stack": "prod", **sections})


def test_each_client_gets_only_its_own_service_settings() -> None:
    config = _config(
        vertex={
            "endpoint": "http://vertex.local",
            "quotaProject": "billed",
            "stagingBucket": "gs://b",
        },
        gemini={"endpoint": "http://gemini.local"},
        storage={"endpoint": "http://storage.local"},
    )
    services, storage = reaches(config, {})
    assert services == {
        Kind.VERTEX: Reach(ClientSettings("http://vertex.local", "billed"), embedded=False),
        Kind.GEMINI: Reach(ClientSettings("http://gemini.local"), embedded=False),
    }
    assert storage == Reach(ClientSettings("http://storage.local"), embedded=False)


def test_nothing_configured_is_the_public_services() -> None:
    services, storage = reaches(_config(), {})
    assert all(reach == Reach(ClientSettings(), embedded=False) for reach in services.values())
    assert storage == Reach(ClientSettings(), embedded=False)


@pytest.mark.parametrize(
    ("config", "env", "vertex", "gemini", "storage"),
    [
        ({"vertex": {"endpoint": "embedded"}}, {}, True, False, True),
        ({"gemini": {"endpoint": "embedded"}}, {}, False, True, False),
        ({}, {"TUNEOPS_VERTEX_ENDPOINT": "embedded"}, True, False, True),
        # The environment's endpoint wins over tuneops.yaml's, either way.
        (
            {"vertex": {"endpoint": "embedded"}},
            {"TUNEOPS_VERTEX_ENDPOINT": "http://h"},
            False,
            False,
            False,
        ),
        # A storage endpoint of its own is used even while Vertex AI is embedded.
        (
            {"vertex": {"endpoint": "embedded"}, "storage": {"endpoint": "http://s"}},
            {},
            True,
            False,
            False,
        ),
        ({"storage": {"endpoint": "embedded"}}, {}, False, False, True),
        # STORAGE_EMULATOR_HOST names another emulator: storage goes there.
        (
            {"vertex": {"endpoint": "embedded"}},
            {"STORAGE_EMULATOR_HOST": "127.0.0.1:9"},
            True,
            False,
            False,
        ),
    ],
)
def test_which_services_are_the_embedded_emulator(
    config: dict[str, Any], env: dict[str, str], vertex: bool, gemini: bool, storage: bool
) -> None:
    services, storage_reach = reaches(_config(**config), env)
    assert (services[Kind.VERTEX].embedded, services[Kind.GEMINI].embedded) == (vertex, gemini)
    assert storage_reach.embedded is storage
