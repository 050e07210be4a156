#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    from config.env import keep_dev_secret_key

    # While debugging without SECRET_KEY: the checkout's own key, made once, so that sessions
    # survive restarts (the settings only read it).
    keep_dev_secret_key()

    from django.conf import settings

    from config.database import hold_across_reloads

    # The dev server's reloader keeps the embedded PostgreSQL up across reloads and stops it
    # when Ctrl-C ends it (config/database.py).
    hold_across_reloads(sys.argv, settings.DATABASES)

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
