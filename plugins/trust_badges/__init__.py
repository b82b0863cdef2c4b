"""The first-party trust-badge plugin (see plugin.py)."""
