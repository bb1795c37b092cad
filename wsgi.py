"""The WSGI entry point: ``gunicorn -c gunicorn.conf.py wsgi:app``."""

from registry.app import create_app
from registry.bootstrap import ensure_database
from registry.config import Settings
from registry.http.connection import close_when_asked

settings, _ = ensure_database(Settings.from_env())
app = close_when_asked(create_app(settings))
