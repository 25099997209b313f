"""A throwaway fourth kind of report, added to a copy of the package by tests/project/test_fourth_kind.py."""
