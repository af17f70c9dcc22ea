"""``python -m realpolitik``."""

import sys

from realpolitik.cli import main

sys.exit(main())
