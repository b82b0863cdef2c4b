"""Customers: the people who ordered from a store, one record per email or phone."""
