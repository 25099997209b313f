"""Helpers the tests share, beside conftest.py: each module named for what it helps with."""
