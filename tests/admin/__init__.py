"""Admin panel tests for orders, customers and discounts.

A package, so that its conftest does not replace ``tests/conftest.py`` as ``conftest``.
"""
