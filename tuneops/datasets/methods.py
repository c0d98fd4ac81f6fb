"""The tuning methods tuneops knows: each has its own dataset line format."""

import enum


class TuningMethod(str, enum.Enum):
    SUPERVISED = "supervised"
    PREFERENCE = "preference"
