"""Announcement bar: an example third-party Haat plugin (see plugin.py)."""
