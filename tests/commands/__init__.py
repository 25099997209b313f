"""The tests of commands/ and of the command line and API over them: batch, merge, the CLI."""
