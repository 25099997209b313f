"""The input forms (workbook, Word form, YAML/JSON skeleton), all written and read from one layout."""
