"""`python -m bot` is the `pitboard` command."""

import sys

from bot.cli import main

sys.exit(main())
