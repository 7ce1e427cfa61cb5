"""数据导入 Import: upload report files, check them, confirm; the load history (rollback, restore); report templates."""
from dashboard.ui import admin, importer, shell

adm = admin.page("page_import")
if adm is not None:
    with shell.guard(adm.lang):
        importer.render(adm)
