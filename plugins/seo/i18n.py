"""The SEO plugin's own catalogue: its title, settings and their messages in the
merchant's admin language (``translations/<lang>/LC_MESSAGES/messages.po``; see
docs/plugin-translations.md). What the plugin writes into storefront pages is the
merchant's and the products' own text, so nothing else needs translating."""

from __future__ import annotations

from core.sdk import PluginText

_ = PluginText(__package__)
