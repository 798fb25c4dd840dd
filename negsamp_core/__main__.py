"""``python -m negsamp_core``: see :mod:`negsamp_core.cli`."""

import sys

from .cli import main

sys.exit(main())
