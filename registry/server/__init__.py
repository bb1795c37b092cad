"""The registry's side of gunicorn: its worker class and the master's metrics port."""
