"""数据质量 Data quality: missing reports, anomalies with the rule that flagged them, when each snapshot landed."""
from dashboard.ui import quality_view, shell

ctx = shell.page("page_quality")
if ctx is not None:
    with shell.guard(ctx.lang):
        quality_view.render(ctx)
