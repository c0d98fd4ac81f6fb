"""One module per subcommand; each exposes a function that returns an exit code."""

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_BLOCKED = 3
