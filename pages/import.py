"""数据导入 Import: set a county up (unit list, boundaries, register), upload reports, check them, confirm; the load
history (rollback, restore); report templates."""
from dashboard.ui import importer, shell

adm = importer.page()
if adm is not None:
    with shell.guard(adm.lang):
        importer.render(adm)
