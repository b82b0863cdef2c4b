"""The first-party cash-on-delivery payment plugin (see plugin.py)."""
