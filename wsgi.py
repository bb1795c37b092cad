"""The WSGI entry point: ``gunicorn -c gunicorn.conf.py wsgi:app``."""

import logging

from registry.app import create_app
from registry.bootstrap import ensure_database
from registry.config import Settings
from registry.observability.logging import configure_logging

settings, _ = ensure_database(Settings.from_env())
if not logging.getLogger().handlers:  # gunicorn.conf.py configures logging; other servers may not
    configure_logging(settings.log_level)
app = create_app(settings)
