"""``python -m harness``: the ``landscape-audit`` command line."""
import sys

from harness.app.cli import main

sys.exit(main())
