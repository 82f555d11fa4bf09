"""``python -m bayesdx``: the command line (see :mod:`bayesdx.cli`)."""

import sys

from bayesdx.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    sys.exit(main())
