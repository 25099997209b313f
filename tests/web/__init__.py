"""The tests of web/: the browser form, in process and in a real browser."""
