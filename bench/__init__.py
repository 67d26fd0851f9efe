"""Benchmarks: ``python -m bench`` runs every one and prints its figures (targets live here, not in tests)."""
