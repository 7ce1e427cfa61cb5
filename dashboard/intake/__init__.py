"""Ingest: a file as an office sends it, read, understood, checked and committed as one load.

The stages, in the order a file meets them: `limits` (refuse a hostile or huge file before parsing), `sheets` (raw
cells of CSV, XLSX, XLS or ODS with the file's own row numbers), `reports` (title lines, headers, totals of a report
table), `readers` (unit lists and the population register as text frames), `kinds` (what an uploaded file is),
`checks` (a report against itself), `matching` (names to unit codes), `ingest` (plan, then commit a load), and the
county's set-up files: `units`, `population`, `boundaries` (with `gcj02`). `loads` rolls a load back or
restores it.
"""

MAY_IMPORT = ('i18n', 'domain', 'storage')  # the stages this one may import; tests/test_layout.py holds every module to it
