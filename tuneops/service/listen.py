"""Where the metrics and health endpoints listen (`--metrics-address`, `--metrics-port`)."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_ADDRESS = "127.0.0.1"  # nothing outside the machine; 0.0.0.0 in a container


@dataclass(frozen=True, slots=True)
class Listen:
    """An address and a port; port 0 takes any free one."""

    host: str = DEFAULT_ADDRESS
    port: int = 0
