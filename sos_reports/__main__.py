"""Lets `python -m sos_reports` run the command line."""

from sos_reports.cli import main

main()
