"""The tests of support/: the cache of the start-up work, and runs stopped by a signal."""
