"""The `streams` command line: one module per command group."""
