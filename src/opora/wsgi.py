"""The WSGI application (``opora serve`` runs it with waitress; gunicorn or uWSGI in production).

The URL configuration is loaded here, at start-up, rather than on the first request: it
imports every view and, through them, the analytics (SciPy, DuckDB, Arrow), a few seconds the
first user would otherwise wait for.
"""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opora.settings")
application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - loads the views now, not on the first request
