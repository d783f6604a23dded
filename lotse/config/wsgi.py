"""WSGI entry point for application servers (gunicorn lotse.config.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lotse.config.settings")
application = get_wsgi_application()
