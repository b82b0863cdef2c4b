"""The first-party bank-transfer payment plugin (see plugin.py)."""
