"""The browser form of `sos-reports serve`: pages generated from the forms layout, whose
drafts are the input files the command line reads."""
