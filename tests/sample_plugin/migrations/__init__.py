"""sample-board's Alembic revisions: its own branch, labelled "sample-board".

Alembic reads the revision files of this folder (``PluginManifest.migrations``); this
``__init__.py`` only makes the folder a package so that it ships with the plugin.
"""
