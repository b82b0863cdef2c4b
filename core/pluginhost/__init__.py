"""The plugin host: hook specs, discovery, per-store switches, settings and isolation.

Private to core. Plugin authors use ``core.sdk`` only.
"""
