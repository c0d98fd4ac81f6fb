"""How tuneops marks the remote jobs it owns, and how it reads the marks back.

Vertex AI jobs carry labels; Gemini API tuned models carry a deterministic id
and a marker at the end of their description. Reading is strict: a job whose
marks are incomplete or malformed is not ours and is never touched.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from tuneops.backends.transport.errors import IdentityError
from tuneops.core.jobs import HASH_PREFIX
from tuneops.specs.models import JobSpec

LABEL_PREFIX = "tuneops-"
STACK_LABEL = "tuneops-stack"
NAME_LABEL = "tuneops-name"
HASH_LABEL = "tuneops-hash"
PROTECT_LABEL = "tuneops-protect"
NONCE_LABEL = "tuneops-nonce"

HASH_LENGTH = HASH_PREFIX  # hex digits of the spec hash recorded remotely
MODEL_ID_HASH_LENGTH = 8  # hex digits in a Gemini tunedModelId

# The same rules as the config and spec schemas; both fit Google label values.
_STACK = re.compile(r"[a-z]([a-z0-9-]{0,38}[a-z0-9])?")
_NAME = re.compile(r"[a-z]([a-z0-9-]{0,29}[a-z0-9])?")
_HASH = re.compile(r"[0-9a-f]{16}")
_NONCE = re.compile(r"[0-9a-f]{16}")
_MARKER = re.compile(
    r"(?:^|\s)\[tuneops stack=(?P<stack>\S+) name=(?P<name>\S+) hash=(?P<hash>\S+?)"
    r"(?P<protect> protect=true)?\]\Z"
)


@dataclass(frozen=True, slots=True)
class Identity:
    """Whose a remote job is: stack, spec name, spec hash prefix, protect flag, nonce."""

    stack: str
    name: str
    hash: str
    protect: bool = False
    nonce: str | None = None

    def __post_init__(self) -> None:
        check_stack(self.stack)
        if not _NAME.fullmatch(self.name):
            raise IdentityError(f"job name {self.name!r} cannot be used as a remote label")
        if not _HASH.fullmatch(self.hash):
            raise IdentityError(f"spec hash prefix {self.hash!r} is not {HASH_LENGTH} hex digits")
        if self.nonce is not None and not _NONCE.fullmatch(self.nonce):
            raise IdentityError(f"nonce {self.nonce!r} is not {HASH_LENGTH} hex digits")


def check_stack(stack: str) -> str:
    """`stack`, or an `IdentityError` when it cannot be a label value and marker word."""
    if not _STACK.fullmatch(stack):
        raise IdentityError(
            f"stack {stack!r} cannot be used as a remote label: 1-40 lowercase letters, "
            "digits and dashes, starting with a letter and not ending with a dash"
        )
    return stack


def identity_for(job: JobSpec, stack: str, nonce: str | None = None) -> Identity:
    """The identity a new remote job for `job` gets."""
    return Identity(stack, job.name, job.spec_hash[:HASH_LENGTH], job.protect, nonce)


def new_nonce() -> str:
    """A fresh random nonce for one create attempt (16 hex digits, label-safe)."""
    return secrets.token_hex(HASH_LENGTH // 2)


def vertex_labels(identity: Identity) -> dict[str, str]:
    """The labels that mark a Vertex AI job as `identity`'s."""
    labels = {
        STACK_LABEL: identity.stack,
        NAME_LABEL: identity.name,
        HASH_LABEL: identity.hash,
    }
    if identity.protect:
        labels[PROTECT_LABEL] = "true"
    if identity.nonce is not None:
        labels[NONCE_LABEL] = identity.nonce
    return labels


def from_vertex_labels(labels: Mapping[str, str]) -> Identity | None:
    """The identity recorded in a Vertex AI job's labels, or None if not complete and valid."""
    protect = labels.get(PROTECT_LABEL)
    if protect not in (None, "true"):
        return None
    try:
        return Identity(
            stack=labels[STACK_LABEL],
            name=labels[NAME_LABEL],
            hash=labels[HASH_LABEL],
            protect=protect == "true",
            nonce=labels.get(NONCE_LABEL),
        )
    except (KeyError, IdentityError):
        return None


def stack_filter(stack: str) -> str:
    """The Vertex AI list filter selecting one stack's jobs."""
    return f'labels.{STACK_LABEL}="{check_stack(stack)}"'


def nonce_filter(stack: str, nonce: str) -> str:
    """The Vertex AI list filter selecting the job(s) of one create attempt."""
    if not _NONCE.fullmatch(nonce):
        raise IdentityError(f"nonce {nonce!r} is not {HASH_LENGTH} hex digits")
    return f'{stack_filter(stack)} AND labels.{NONCE_LABEL}="{nonce}"'


def gemini_model_id(identity: Identity) -> str:
    """The deterministic `tunedModelId`: `{name}-{hash8}` (at most 40 characters)."""
    return f"{identity.name}-{identity.hash[:MODEL_ID_HASH_LENGTH]}"


def gemini_marker(identity: Identity) -> str:
    """The ownership marker appended to a Gemini tuned model's description."""
    protect = " protect=true" if identity.protect else ""
    return f"[tuneops stack={identity.stack} name={identity.name} hash={identity.hash}{protect}]"


def with_marker(description: str | None, identity: Identity) -> str:
    """`description` followed by the marker of `identity`."""
    marker = gemini_marker(identity)
    return f"{description.rstrip()} {marker}" if description and description.strip() else marker


def from_gemini(model_id: str, description: str | None) -> Identity | None:
    """The identity of a tuned model, from its description marker and id; None if not ours.

    The marker must end the description, every field must be valid, and the
    model id must be the one tuneops derives from the marker: a marker copied
    onto another model does not make it ours.
    """
    if not description:
        return None
    match = _MARKER.search(description)
    if match is None:
        return None
    try:
        identity = Identity(
            stack=match["stack"],
            name=match["name"],
            hash=match["hash"],
            protect=match["protect"] is not None,
        )
    except IdentityError:
        return None
    return identity if gemini_model_id(identity) == model_id else None
