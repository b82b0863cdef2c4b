"""The first-party search plugin (see plugin.py)."""
