"""The plugin's own words, translated from its catalogues in ``translations/<language>/``.

``_("Save for later")`` translates into the language of the moment (the shopper's on the
storefront, the merchant's in the admin); ``_.lazy(...)`` is for texts made at import
time: the manifest's title, the settings' labels and help, the schedule's title.
"""

from __future__ import annotations

from core.sdk import PluginText

_ = PluginText(__package__)
