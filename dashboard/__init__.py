"""The grid-check dashboard, one sub-package per stage of the data path from a report file to a pixel.

    i18n      every word the user reads, in Chinese and English
    domain    fields, aliases, indicators, division codes, messages
    storage   the DuckDB store, the SQL registry, stored rollups, settings, backups, accounts
    intake    reading, understanding, checking and committing report and set-up files
    analysis  rollups, gaps, pace, trends, rounds, data quality
    output    what a page shows, figures, images, the briefing deck, downloads
    example   the demo county
    benchmark the province-scale benchmark and its generator
    commands  the CLI                          ui   the Streamlit pages' building blocks

Each sub-package's `MAY_IMPORT` names the stages it may use; the arrows run down this list (the CLI and the UI
never import each other, nothing but the UI imports Streamlit), and tests/test_layout.py fails on one that does not.
"""
