"""Function calling in a supervised line: the tools it declares, and the calls' pairing.

The format (Google Cloud, "Tune function calling",
https://docs.cloud.google.com/gemini-enterprise-agent-platform/models/tuning/function-calling,
read 2026-12-06): a line may carry `tools: [{functionDeclarations: [{name,
description, parameters}]}]`; a model turn may hold `functionCall` parts
({name, args}); the function's result comes back as `functionResponse` parts
({name, response}) in the turn after the call, which is the user's side of the
conversation (Gemini's `Content.role` is only `user` or `model`). A line may end
on the model's functionCall: the call is then the answer being taught.

What tuneops holds a line to (docs/datasets.md, "Function calling"):
- every functionCall is in a model turn, every functionResponse in a user turn;
- every functionCall, unless it is in the last turn, is answered by a
  functionResponse of the same name in the next turn, and every
  functionResponse answers a functionCall of the turn before (matched by name,
  one for one, so two calls of one function need two responses);
- every called function is declared in `tools`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tuneops.datasets.turns import (
    FUNCTION_CALL,
    FUNCTION_RESPONSE,
    FunctionUse,
    Path,
    Turn,
    TurnChecker,
    compact_length,
)
from tuneops.diagnostics import json_path

TOOLS = "tools"
DECLARATIONS = "functionDeclarations"


def check_tools(checker: TurnChecker, line: dict[str, Any]) -> frozenset[str] | None:
    """The function names `line`'s tools declare; None when it has no `tools`.

    Only the function declarations are checked; other tools (search, code
    execution) are the service's to judge. Declarations weigh their compact JSON.
    """
    if TOOLS not in line:
        return None
    tools = line[TOOLS]
    if not isinstance(tools, list):
        checker.problem((TOOLS,), "tools must be a list of tools")
        return frozenset()
    first_at: dict[str, Path] = {}
    for index, tool in enumerate(tools):
        path: Path = (TOOLS, index)
        if not isinstance(tool, dict):
            checker.problem(path, f"a tool must be an object, such as {{{DECLARATIONS}: [...]}}")
            continue
        checker.size.characters += compact_length(tool)
        if DECLARATIONS in tool:
            _declarations(checker, tool[DECLARATIONS], (*path, DECLARATIONS), first_at)
    return frozenset(first_at)


def _declarations(checker: TurnChecker, value: Any, path: Path, first_at: dict[str, Path]) -> None:
    if not isinstance(value, list):
        checker.problem(path, f"{DECLARATIONS} must be a list of function declarations")
        return
    for index, declaration in enumerate(value):
        at: Path = (*path, index)
        if not isinstance(declaration, dict):
            checker.problem(at, "a function declaration must be an object with a name")
            continue
        name = declaration.get("name")
        if not isinstance(name, str) or not name.strip():
            checker.problem((*at, "name"), "a function declaration needs a non-empty string name")
        elif name in first_at:
            checker.problem(
                (*at, "name"),
                f"function {name!r} is declared twice (first at {json_path(first_at[name])})",
            )
        else:
            first_at[name] = at
        if "parameters" in declaration and not isinstance(declaration["parameters"], dict):
            checker.problem((*at, "parameters"), "parameters must be an object (a schema)")


def check_pairing(
    checker: TurnChecker, roles: Sequence[str | None], declared: frozenset[str] | None
) -> None:
    """Roles of the turns holding calls and responses, their pairing, the declarations.

    `roles` are those of the line's turns, in order; the function parts are the
    ones `checker` gathered while checking them.
    """
    turns = [Turn(role) for role in roles]
    for index, use in checker.calls:
        turns[index].calls.append(use)
    for index, use in checker.responses:
        turns[index].responses.append(use)
    for index, turn in enumerate(turns):
        _roles(checker, turn)
        for call in turn.calls:
            _declared(checker, call, declared)
        if index == 0:
            _answered(checker, [], _responses(turn))
        # The last turn's calls need no answer: they are the answer being taught.
        # Next to a turn whose role is invalid (already reported), pairing says nothing.
        following = turns[index + 1] if index + 1 < len(turns) else None
        if following is not None and turn.role is not None and following.role is not None:
            _answered(checker, _calls(turn), _responses(following))


# A call or response in a turn of the wrong role (or of no valid role) is reported
# once, for its place; it takes no part in the pairing, which would only repeat it.
def _calls(turn: Turn) -> list[FunctionUse]:
    return turn.calls if turn.role == "model" else []


def _responses(turn: Turn) -> list[FunctionUse]:
    return turn.responses if turn.role == "user" else []


def _roles(checker: TurnChecker, turn: Turn) -> None:
    if turn.role is None:
        return  # the role itself is already reported
    if turn.role != "model":
        for call in turn.calls:
            checker.problem(
                call.path,
                f"{FUNCTION_CALL} belongs in a model turn; this turn's role is {turn.role!r}",
            )
    if turn.role != "user":
        for response in turn.responses:
            checker.problem(
                response.path,
                f"{FUNCTION_RESPONSE} belongs in a user turn, after the model's "
                f"{FUNCTION_CALL}; this turn's role is {turn.role!r}",
            )


def _declared(checker: TurnChecker, call: FunctionUse, declared: frozenset[str] | None) -> None:
    if declared is None:
        checker.problem(
            (*call.path, "name"),
            f"function {call.name!r} is called, but the line has no tools declaring it",
        )
    elif call.name not in declared:
        checker.problem(
            (*call.path, "name"),
            f"function {call.name!r} is not declared in tools[].{DECLARATIONS}",
        )


def _answered(checker: TurnChecker, calls: list[FunctionUse], responses: list[FunctionUse]) -> None:
    """Matches the calls of one turn with the responses of the next, one for one."""
    waiting = list(responses)
    for call in calls:
        match = next((r for r in waiting if r.name == call.name), None)
        if match is None:
            checker.problem(
                call.path,
                f"{FUNCTION_CALL} {call.name!r} is not answered by a "
                f"{FUNCTION_RESPONSE} in the next turn",
            )
        else:
            waiting.remove(match)
    for response in waiting:
        checker.problem(
            (*response.path, "name"),
            f"{FUNCTION_RESPONSE} {response.name!r} answers no {FUNCTION_CALL} of the turn before",
        )
