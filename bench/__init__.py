"""Benchmarks of the production shape (issue 9, SPEC B10): `make bench`, results in bench/RESULTS.md."""
