"""The command-line face: `python -m dashboard …` (`cli`) and its account commands (`cli_access`).

It never imports the UI, and the UI never imports it.
"""

MAY_IMPORT = ('i18n', 'domain', 'storage', 'intake', 'analysis', 'output', 'example', 'benchmark')  # the stages this one may import; tests/test_layout.py holds every module to it
