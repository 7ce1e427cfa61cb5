"""The store: one DuckDB file and what is kept in it.

Owns the file, its locks and cached readers (`store`), the SQL registry over `queries/` (`queries`), the stored
rollups kept current by every write (`materialize`), a county's settings (`settings` reads them, `configure` changes
them and recounts), backups (`backup`), stored boundaries (`geo`) and accounts with their scopes (`access`).
"""

MAY_IMPORT = ('i18n', 'domain')  # the stages this one may import; tests/test_layout.py holds every module to it
