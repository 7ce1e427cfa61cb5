"""The domain: what the product counts, with no store and no file behind it.

Owns each domain's declaration (`declarations`: one TOML file per domain in `declarations/`, read once and
checked), and derived from it the canonical fields (`fields`), the header variants seen in real files (`aliases`), the
indicators and their targets (`indicators`), China's division codes (`codes`) and errors and warnings as data
(`messages`). Everything else builds on these words.
"""

MAY_IMPORT = ('i18n',)  # the stages this one may import; tests/test_layout.py holds every module to it
