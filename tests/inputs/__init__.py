"""The tests of inputs/: reading, converting, and the forms (workbook, Word form, new)."""
