"""Runs a composite action's `run` steps the way the Actions runner does, locally.

Each step runs with `bash --noprofile --norc -eo pipefail`, in its working
directory, with its `env` evaluated, a fresh `GITHUB_OUTPUT` file whose values
become `steps.<id>.outputs`, and the runner's other files. `uses:` steps (the
cache) are skipped. Expressions are evaluated by a deliberately small
evaluator: context paths, quoted strings, `==`, `!=` and `||`; anything more
fails the test, which keeps the action's expressions simple enough to read.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _value(token: str, contexts: Mapping[str, Any]) -> Any:
    token = token.strip()
    if token.startswith("'") and token.endswith("'"):
        return token[1:-1]
    if not re.fullmatch(r"[A-Za-z_][\w-]*(\.[\w-]+)*", token):
        raise AssertionError(f"expression too clever for this runner: {token!r}")
    value: Any = contexts
    for part in token.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return "" if value is None else value


def evaluate(expression: str, contexts: Mapping[str, Any]) -> Any:
    """Evaluates one `${{ }}` body."""
    if "||" in expression:
        for part in expression.split("||"):
            value = evaluate(part, contexts)
            if value not in ("", False, None):
                return value
        return ""
    for operator in ("!=", "=="):
        if operator in expression:
            left, right = (_value(t, contexts) for t in expression.split(operator, 1))
            return (str(left) != str(right)) if operator == "!=" else (str(left) == str(right))
    return _value(expression, contexts)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def substitute(text: str, contexts: Mapping[str, Any]) -> str:
    """Replaces every `${{ }}` in `text` with its value."""
    return _EXPRESSION.sub(lambda m: _text(evaluate(m.group(1), contexts)), text)


def read_outputs(path: Path) -> dict[str, str]:
    """`name=value` lines and `name<<DELIMITER` blocks of a GITHUB_OUTPUT file."""
    outputs: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, index + 1)
            outputs[name] = "\n".join(lines[index + 1 : end])
            index = end + 1
            continue
        name, value = line.split("=", 1)
        outputs[name] = value
        index += 1
    return outputs


@dataclass
class StepRun:
    """What one step did."""

    name: str
    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]


@dataclass
class ActionRun:
    """The steps that ran, and the action's exit code (its first failing step's)."""

    steps: list[StepRun] = field(default_factory=list)
    code: int = 0

    @property
    def log(self) -> str:
        return "".join(f"== {s.name}\n{s.stdout}{s.stderr}" for s in self.steps)

    def outputs(self, step_id_outputs: Mapping[str, str]) -> dict[str, str]:
        return dict(step_id_outputs)


def run_composite(
    action_file: Path,
    inputs: Mapping[str, str],
    github: Mapping[str, Any],
    runner_env: Mapping[str, str],
    workspace: Path,
    temp: Path,
) -> tuple[ActionRun, dict[str, dict[str, str]]]:
    """Runs the action's run steps in order; stops at the first that fails."""
    action = yaml.safe_load(action_file.read_text(encoding="utf-8"))
    contexts: dict[str, Any] = {"github": dict(github), "steps": {}, "runner": {"temp": str(temp)}}
    resolved: dict[str, str] = {}
    for name, spec in action["inputs"].items():
        default = str(spec.get("default", ""))
        resolved[name] = inputs.get(name, substitute(default, contexts))
    contexts["inputs"] = resolved
    result = ActionRun()
    step_outputs: dict[str, dict[str, str]] = {}
    for number, step in enumerate(action["runs"]["steps"]):
        if "run" not in step:
            continue
        output_file = temp / f"output-{number}"
        output_file.write_text("", encoding="utf-8")
        env = {
            **runner_env,
            **{k: substitute(str(v), contexts) for k, v in step.get("env", {}).items()},
            "GITHUB_OUTPUT": str(output_file),
            "RUNNER_TEMP": str(temp),
        }
        cwd = workspace / substitute(str(step.get("working-directory", ".")), contexts)
        script = temp / f"step-{number}.sh"
        script.write_text(step["run"], encoding="utf-8")
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        outputs = read_outputs(output_file)
        result.steps.append(
            StepRun(step["name"], done.returncode, done.stdout, done.stderr, outputs)
        )
        if "id" in step:
            contexts["steps"][step["id"]] = {"outputs": outputs}
            step_outputs[step["id"]] = outputs
        if done.returncode != 0:
            result.code = done.returncode
            break
    return result, step_outputs


def event_contexts(event_file: Path, repository: str, action_path: Path) -> dict[str, Any]:
    """The `github` context of a pull_request run."""
    event = json.loads(event_file.read_text(encoding="utf-8"))
    return {
        "event_name": "pull_request",
        "event": event,
        "repository": repository,
        "action_path": str(action_path),
        "token": "",
    }
