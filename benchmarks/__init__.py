"""Benchmarks: speed and memory targets, measured here and written to docs/performance.md.

Run them all with ``make bench`` (``python -m benchmarks``). They are not tests: timings on a
shared machine are noisy, so figures are recorded, not asserted.
"""
