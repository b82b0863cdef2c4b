"""The wishlist's Alembic revisions: its own branch, labelled "wishlist".

Haat reads the revision files of this folder (the manifest's ``migrations``). This file
makes the folder a package, so that it ships with the plugin.
"""
