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
})
navigation.run()
