"""The exit codes every command uses (listed in cli.py's docstring and the README)."""

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INVALID, EXIT_CHANGES = 0, 1, 2, 3, 4
