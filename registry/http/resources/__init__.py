"""Falcon resources. Shared by every greenlet of a worker: they hold no per-request state."""
