"""Clients for the emulator tests: the google-genai SDK as wire-format C.2 builds it,
and a raw HTTP session for what the SDK hides (status codes, headers, exact bodies)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import google.oauth2.credentials
import requests
from google import genai
from google.genai import types

from tuneops.emulator import EmulatorHandle

PROJECT = "acme-ml"
NUMBER = "123456789012"
LOCATION = "us-central1"
PARENT = f"projects/{NUMBER}/locations/{LOCATION}"
TOKEN = "fake-token"
API_KEY = "fake-key"
TRAIN = "gs://acme-tuning/support/train.jsonl"

# The type of the `emulator_factory` fixture (tests/conftest.py).
EmulatorFactory = Callable[..., EmulatorHandle]

# The SDK marks tuning as experimental and warns on every call.
SDK_WARNINGS = "ignore::google.genai._common.ExperimentalWarning"


def vertex_client(
    url: str, api_version: str = "v1", retry: types.HttpRetryOptions | None = None
) -> genai.Client:
    """The SDK in Vertex AI mode against the emulator (bearer token, never refreshed)."""
    creds = google.oauth2.credentials.Credentials(token=TOKEN)
    return genai.Client(
        vertexai=True,
        project=PROJECT,
        location=LOCATION,
        credentials=creds,
        http_options=types.HttpOptions(
            base_url=url + "/", api_version=api_version, retry_options=retry
        ),
    )


def gemini_client(url: str) -> genai.Client:
    """The SDK in Gemini API mode; v1beta, where tunedModels CRUD lives."""
    return genai.Client(
        api_key=API_KEY, http_options={"base_url": url + "/", "api_version": "v1beta"}
    )


def job_body(**fields: Any) -> dict[str, Any]:
    """A valid Vertex TuningJob create body, with top-level fields replaced."""
    body: dict[str, Any] = {
        "baseModel": "gemini-3.5-flash",
        "supervisedTuningSpec": {
            "trainingDatasetUri": TRAIN,
            "hyperParameters": {"epochCount": 3, "adapterSize": "ADAPTER_SIZE_FOUR"},
        },
        "tunedModelDisplayName": "support-bot",
        "labels": {"tuneops-stack": "demo"},
    }
    body.update(fields)
    return body


EXAMPLES = [
    {"textInput": "1", "output": "2"},
    {"textInput": "3", "output": "4"},
    {"textInput": "I", "output": "II"},
]


def model_body(**fields: Any) -> dict[str, Any]:
    """A valid Gemini TunedModel create body, with top-level fields replaced."""
    body: dict[str, Any] = {
        "displayName": "number generator",
        "baseModel": "models/gemini-1.5-flash-001-tuning",
        "tuningTask": {
            "hyperparameters": {"batchSize": 2, "learningRate": 0.001, "epochCount": 5},
            "trainingData": {"examples": {"examples": EXAMPLES}},
        },
    }
    body.update(fields)
    return body


class Http:
    """Raw HTTP against an emulator with one pooled session (keep-alive)."""

    def __init__(self, url: str, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.session = requests.Session()
        self.session.headers.update(headers or {})

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """One request; `path` starts with `/`."""
        return self.session.request(method, self.url + path, timeout=10, **kwargs)

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        """One request that must answer 200; its JSON body."""
        response = self.call(method, path, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()


def vertex_http(url: str) -> Http:
    """Raw HTTP with a Vertex bearer token."""
    return Http(url, {"Authorization": f"Bearer {TOKEN}"})


def gemini_http(url: str) -> Http:
    """Raw HTTP with a Gemini API key."""
    return Http(url, {"x-goog-api-key": API_KEY})


class ReplayServer:
    """A stub that answers every request with one recorded response, to feed it to the SDK."""

    def __init__(self, status: int, body: Any) -> None:
        payload = json.dumps(body).encode()
        # (method, path, body) of each request, so a test can record what a client sent.
        self.requests: list[tuple[str, str, bytes]] = []
        received = self.requests

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def answer(self) -> None:
                sent = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append((self.command, self.path, sent))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                self.answer()

            def do_POST(self) -> None:
                self.answer()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def parse_error(message: str, field: str) -> dict[str, Any]:
    """The body Google's proto-JSON parser answers a malformed request with: 400
    INVALID_ARGUMENT, and a BadRequest detail naming the field."""
    return {
        "error": {
            "code": 400,
            "message": message,
            "status": "INVALID_ARGUMENT",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [{"field": field, "description": message}],
                }
            ],
        }
    }
