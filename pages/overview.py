"""总览 Overview: a headline card per domain, the short trend, and the child units to drill into."""
from dashboard.ui import cards, shell, table

ctx = shell.page("page_overview")
if ctx is not None:
    with shell.guard(ctx.lang):
        cards.headlines(ctx)
        cards.trend(ctx)
        table.children_section(ctx)
