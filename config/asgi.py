import os

from django.core.asgi import get_asgi_application

from config.env import keep_dev_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# While debugging without SECRET_KEY: one key for every worker and every restart (config/env.py).
keep_dev_secret_key()

application = get_asgi_application()
