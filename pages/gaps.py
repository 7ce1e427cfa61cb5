"""缺口 Gaps: units ranked by the people still missing, the few that hold most of the gap, who will be late."""
from dashboard.ui import gaps_view, shell

ctx = shell.page("page_gaps")
if ctx is not None:
    with shell.guard(ctx.lang):
        gaps_view.render(ctx)
