"""Benchmarks of streams; run them all with `python -m benchmarks`."""
