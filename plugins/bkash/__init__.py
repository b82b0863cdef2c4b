"""The first-party bKash plugin: bKash Tokenized Checkout payments (see plugin.py)."""
