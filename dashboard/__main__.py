"""Entry point for `python -m dashboard`."""
import sys

from .commands.cli import main

sys.exit(main())
