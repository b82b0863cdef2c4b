"""Checkout: totals, adjustments and (later) placing orders."""
