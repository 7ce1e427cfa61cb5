"""地图 Map: the children coloured against the target (click to drill), all grids at once, units without a boundary."""
from dashboard.ui import mapview, shell

ctx = shell.page("page_map")
if ctx is not None:
    with shell.guard(ctx.lang):
        mapview.render(ctx)
