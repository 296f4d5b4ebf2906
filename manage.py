#!/usr/bin/env python
"""Django's command-line utility for dysa."""

import os
import sys
from pathlib import Path


def main() -> None:
    root = Path(__file__).resolve().parent
    # The source root `platform/` holds the `config` package; appended (not prepended) so
    # that `import platform` keeps meaning the standard library.
    sys.path.append(str(root / "platform"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
