"""The first-party tax plugin (see plugin.py)."""
