"""Benchmarks and the offline quality evaluation (`python -m bench`, `make bench`)."""
