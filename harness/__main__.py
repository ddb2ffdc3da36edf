"""``python -m harness``: the ``landscape-audit`` command line."""
import sys

from harness.cli import main

sys.exit(main())
