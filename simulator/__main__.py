"""``python -m simulator`` is the same as ``roleplay``."""

import sys

from simulator.cli import main

sys.exit(main())
