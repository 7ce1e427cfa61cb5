"""The Streamlit layer: shared context from the URL, cached data access and the page building blocks.

Only this sub-package, `app.py` and `pages/` import streamlit; the rest of
`dashboard/` stays usable from the CLI and tests without it.
"""

MAY_IMPORT = ("i18n", "domain", "storage", "intake", "analysis", "output", "example")  # never commands or benchmark
