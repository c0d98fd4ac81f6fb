"""Allows `python -m tuneops`."""

import sys

from tuneops.cli import main

sys.exit(main())
