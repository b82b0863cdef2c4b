"""The first-party Steadfast courier plugin: booking, tracking and cash settlement with
Steadfast Courier (Bangladesh) through its merchant API (see plugin.py)."""
