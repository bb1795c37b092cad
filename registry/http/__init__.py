"""The HTTP layer: parse requests, call the domain, render responses."""
