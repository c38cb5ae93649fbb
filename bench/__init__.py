"""Benchmarks: speed and memory are measured here, never asserted in timed tests (see bench/README.md)."""
