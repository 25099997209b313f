"""The tests of documents/: the report, its layout, templates, PDF and the writing of files."""
