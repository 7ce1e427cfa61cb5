"""设置 Settings: targets, testing rounds, carry-forward days, the level expected to report, unit renames and 撤销."""
from dashboard.ui import admin, settings_view, shell

adm = admin.page("page_settings")
if adm is not None:
    with shell.guard(adm.lang):
        settings_view.render(adm)
