"""Entry point for `python -m dashboard`."""
import os
import sys

from . import i18n
from .domain.messages import DeclarationError

try:
    from .commands.cli import main
except DeclarationError as error:  # a declaration that cannot be used: say which file and entry, no traceback
    lang = os.environ.get("DASHBOARD_LANG") if os.environ.get("DASHBOARD_LANG") in i18n.LANGS else i18n.DEFAULT_LANG
    print(i18n.t("err_declaration", lang, detail=str(error)), file=sys.stderr)
    sys.exit(2)

sys.exit(main())
