"""Router only: the pages with their titles (Chinese by default) and icons; everything else is in pages/ and dashboard/ui/."""
import streamlit as st

from dashboard.i18n import t
from dashboard.ui import shell

lang = shell.start()  # carries the view's URL parameters over page switches
st.set_page_config(page_title=t("app_title", lang), page_icon=shell.favicon(), layout="wide")
navigation = st.navigation({
    t("nav_dashboard", lang): [
        st.Page("pages/overview.py", title=t("page_overview", lang), icon=":material/dashboard:",
                url_path="overview", default=True),
        st.Page("pages/map.py", title=t("page_map", lang), icon=":material/map:", url_path="map"),
    ],
    t("nav_analysis", lang): [
        st.Page("pages/gaps.py", title=t("page_gaps", lang), icon=":material/leaderboard:", url_path="gaps"),
        st.Page("pages/trends.py", title=t("page_trends", lang), icon=":material/show_chart:", url_path="trends"),
        st.Page("pages/quality.py", title=t("page_quality", lang), icon=":material/fact_check:", url_path="quality"),
    ],
    t("nav_briefing", lang): [
        st.Page("pages/briefing.py", title=t("page_briefing", lang), icon=":material/slideshow:", url_path="briefing"),
    ],
    t("nav_data", lang): [
        st.Page("pages/import.py", title=t("page_import", lang), icon=":material/upload_file:", url_path="import"),
        st.Page("pages/settings.py", title=t("page_settings", lang), icon=":material/settings:", url_path="settings"),
    ],
})
navigation.run()
