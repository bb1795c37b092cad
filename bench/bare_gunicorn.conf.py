"""gunicorn settings of the bare ceiling app (``bench/bare_app.py``).

The worker settings mirror ``gunicorn.conf.py``; ``bench/run.py`` reads that file and
passes its values in the ``BARE_*`` variables so the two stay the same. Start with
``gunicorn -c bench/bare_gunicorn.conf.py bare_app:app``.
"""

import os

# bench/ holds bare_app.py and workload.py.
pythonpath = os.path.dirname(os.path.abspath(__file__))

bind = [os.environ.get("BARE_BIND", "127.0.0.1:8089")]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = os.environ.get("BARE_WORKER_CLASS", "gevent")
worker_connections = int(os.environ.get("BARE_WORKER_CONNECTIONS", "1000"))
keepalive = int(os.environ.get("BARE_KEEPALIVE", "5"))
timeout = int(os.environ.get("BARE_TIMEOUT", "30"))
graceful_timeout = 30
preload_app = False
accesslog = None
control_socket_disable = True
