"""Wishlist: shoppers save products for later and find them again on their own page.

An example of a third-party Haat plugin (``plugin.py`` has the manifest and the hooks).
It imports only ``core.sdk`` (plus Flask, SQLAlchemy and MarkupSafe) and shows the SDK
services a real plugin needs: its own table and migration, a page in the store's theme,
a schedule and translations.
"""

__version__ = "0.1.0"
