"""The test suite's sample plugin, "sample-board": a store's message board.

It is written like a third-party plugin (it imports only ``core.sdk``) and exercises
what real plugins need: its own table and migration, a schedule, a page in the store's
theme. ``tests/conftest.py`` registers it at start-up through ``HAAT_EXTRA_PLUGINS``.
"""
