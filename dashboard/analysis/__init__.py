"""Analysis: numbers a page or the CLI shows, computed from the store, without any figure or widget.

Owns the rollup of a unit and its children (`rollup`, with `metrics` for the indicator columns), where the gaps are
(`gaps`), the pace to the target (`pace`), series over time (`trends`), testing rounds (`rounds`), data quality
(`quality`) and the `coverage` result of the CLI.
"""

MAY_IMPORT = ('i18n', 'domain', 'storage')  # the stages this one may import; tests/test_layout.py holds every module to it
