"""The first-party SEO plugin (see plugin.py)."""
