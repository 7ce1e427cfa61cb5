"""趋势 Trends: an indicator over time for the unit, chosen units compared, or every child side by side."""
from dashboard.ui import shell, trends_view

ctx = shell.page("page_trends")
if ctx is not None:
    with shell.guard(ctx.lang):
        trends_view.render(ctx)
