"""简报 Briefing: the day's figures as one 16:9 slide (`present=1`: nothing else on screen), the deck and the images."""
from dashboard.ui import briefing_view, shell

ctx = shell.page("page_briefing")
if ctx is not None:
    with shell.guard(ctx.lang):
        briefing_view.render_page(ctx)
