"""Helpers shared by several test suites (importable because tests/conftest.py puts tests/ on sys.path)."""
