"""The first-party shipping plugin: delivery zones and their rates (see plugin.py)."""
