"""The demo county (示范县): generated reports (`demo_data`) and the store built from them (`demo`).

Tests reuse the generator; the README's first command builds the store with it.
"""

MAY_IMPORT = ('i18n', 'domain', 'storage', 'intake')  # the stages this one may import; tests/test_layout.py holds every module to it
