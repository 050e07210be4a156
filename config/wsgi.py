"""The WSGI application that servers (gunicorn, runserver) load."""

import gc
import os

from django.core.wsgi import get_wsgi_application

from config.env import keep_dev_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# While debugging without SECRET_KEY: one key for every worker and every restart (config/env.py).
keep_dev_secret_key()

application = get_wsgi_application()

# Everything loaded so far (Django, the apps, their modules) lives as long as the process: move
# it out of the collector's sight, so that a full collection walks what requests create, not the
# whole framework (about 40 ms every few hundred requests otherwise; docs/performance.md).
gc.freeze()
