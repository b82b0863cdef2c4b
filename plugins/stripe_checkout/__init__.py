"""The first-party Stripe plugin: card payments on Stripe Checkout (see plugin.py)."""
