"""``python -m bayesdx``: the command line (see :mod:`bayesdx.cli`)."""

import sys

from bayesdx.cli import main

if __name__ == "__main__":
    sys.exit(main())
