"""Caching tiers in front of the store: per-worker memory, then Redis."""
