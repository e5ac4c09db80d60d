"""``python -m lightalchemy`` → :func:`lightalchemy.cli.main`."""

import sys

from lightalchemy.cli import main

if __name__ == "__main__":
    sys.exit(main())
