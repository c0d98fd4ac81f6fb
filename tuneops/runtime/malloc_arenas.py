"""Fewer glibc malloc arenas for the listing threads (issue 12: peak memory of plan).

glibc gives each new thread its own malloc arena, up to eight per core, and
keeps what a thread freed in that arena's pages. The listing threads parse
large pages of JSON each, so at 20,000 jobs the arenas alone held about 35 MiB
of a plan's peak (measured: 219-228 MiB with the default, 188 MiB with two
arenas, the same CPU time). The threads mostly wait for the network and take
turns under the GIL, so sharing two arenas costs them nothing measurable.
"""

from __future__ import annotations

import sys

_M_ARENA_MAX = -8  # from glibc's <malloc.h>
ARENAS = 2


def limit_malloc_arenas(count: int = ARENAS) -> bool:
    """Caps the malloc arenas of this process at `count`; False where that is not glibc.

    Set before threads start allocating: an arena a thread already has stays.
    Honours `MALLOC_ARENA_MAX` when the user set it (glibc reads it at start-up,
    and an explicit choice wins).
    """
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # here: only commands that list jobs need it
    import os

    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl or another libc: nothing to tune
        return False
    return bool(mallopt(_M_ARENA_MAX, count))
