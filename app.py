"""Router only: the pages with their titles (Chinese by default) and icons; everything else is in pages/ and dashboard/ui/.

Before navigation, `auth.gate` decides who is using the app: with accounts
configured, nothing but the sign-in form shows until someone has signed in.
A page the account's role may not use is left out of the menu (registered
hidden, so its URL answers "not permitted" instead of "page not found").
"""
import streamlit as st

from dashboard.domain.messages import DeclarationError
from dashboard.i18n import DEFAULT_LANG, t

try:
    from dashboard.ui import auth, shell, signin
except DeclarationError as error:  # a domain declaration that cannot be used: say which, no traceback
    st.error(t("err_declaration", DEFAULT_LANG, detail=str(error)))
    st.stop()

lang = shell.start()  # carries the view's URL parameters over page switches
st.set_page_config(page_title=t("app_title", lang), page_icon=shell.favicon(), layout="wide")
account = auth.gate(lang)


def page(script: str, title_key: str, icon: str, url_path: str, default: bool = False) -> st.Page:
    visible = account is not None and auth.may_open(title_key)
    return st.Page(script, title=t(title_key, lang), icon=icon, url_path=url_path, default=default,
                   visibility="visible" if visible else "hidden")


sections = {
    t("nav_dashboard", lang): [
        page("pages/overview.py", "page_overview", ":material/dashboard:", "overview", default=True),
        page("pages/map.py", "page_map", ":material/map:", "map"),
    ],
    t("nav_analysis", lang): [
        page("pages/gaps.py", "page_gaps", ":material/leaderboard:", "gaps"),
        page("pages/trends.py", "page_trends", ":material/show_chart:", "trends"),
        page("pages/quality.py", "page_quality", ":material/fact_check:", "quality"),
    ],
    t("nav_briefing", lang): [
        page("pages/briefing.py", "page_briefing", ":material/slideshow:", "briefing"),
    ],
    t("nav_data", lang): [
        page("pages/import.py", "page_import", ":material/upload_file:", "import"),
        page("pages/settings.py", "page_settings", ":material/settings:", "settings"),
    ],
}
navigation = st.navigation(sections, position="sidebar" if account is not None else "hidden")
if account is None:
    signin.login_page(lang)
else:
    navigation.run()
