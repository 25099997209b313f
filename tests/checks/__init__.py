"""The tests of checks/: the rules of the input format, every problem in one run, plain language."""
