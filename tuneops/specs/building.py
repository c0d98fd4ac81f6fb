"""Typed `JobSpec`s from checked specs: the models that plan and apply work with."""

from __future__ import annotations

from pydantic import ValidationError

from tuneops.diagnostics import Diagnostic
from tuneops.specs.checked import CheckedSpec
from tuneops.specs.kinds import BackendKind
from tuneops.specs.models import Example, GeminiSpec, JobSpec, Spec, VertexSpec


def job_spec(checked: CheckedSpec) -> JobSpec | Diagnostic:
    """The `JobSpec` of a checked spec; a model that refuses it is reported at its name."""
    try:
        spec: Spec = (
            GeminiSpec.model_validate(checked.data)
            if checked.backend == BackendKind.GEMINI
            else VertexSpec.model_validate(checked.data)
        )
        examples = tuple(Example.model_validate(e) for e in checked.examples)
    except ValidationError as error:  # the schema should have caught it: say where anyway
        return Diagnostic(checked.source, f"invalid spec: {error}")
    return JobSpec(
        name=checked.name,
        labels=checked.labels,
        spec=spec,
        examples=examples,
        canonical=checked.canonical,
        spec_hash=checked.spec_hash,
        source=checked.source,
        local_datasets=checked.local_datasets,
    )
