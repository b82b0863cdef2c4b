"""Storefront themes: discovery, settings schemas, per-store choice and the template loader."""
