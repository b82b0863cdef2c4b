"""Browser tests (Playwright + Debian Chromium).

A package, so that its conftest does not replace ``tests/conftest.py`` as ``conftest``.
"""
