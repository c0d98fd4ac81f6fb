"""A local Vertex AI + Gemini API tuning service, faithful enough for google-genai.

It imports nothing from the rest of tuneops (and nothing outside the standard
library but PyYAML, to read the model catalogue's data file), so the fake cannot
inherit the client's bugs. Start it with
`start_emulator(EmulatorConfig(...))` or `tuneops emulator`; see docs/emulator.md.
"""

from tuneops.emulator.config import EmulatorConfig
from tuneops.emulator.server import EmulatorHandle, start_emulator
from tuneops.emulator.store import StoreError

__all__ = ["EmulatorConfig", "EmulatorHandle", "StoreError", "start_emulator"]
