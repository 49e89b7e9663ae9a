#!/usr/bin/env python3
"""Django's manage.py; the `comptoir` command does the same and more (see comptoir/cli.py)."""

import sys

from comptoir.cli import main

if __name__ == "__main__":
    sys.exit(main(["manage", *sys.argv[1:]]))
