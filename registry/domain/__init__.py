"""The registry's domain: formats, compatibility and versioning. Knows nothing of HTTP or SQL."""
