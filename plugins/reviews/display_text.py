"""The words of the storefront's review displays (slots, list, wall, reports), in their
own catalogue: ``translations/<lang>/LC_MESSAGES/display.po``."""

from core.sdk import PluginText

_ = PluginText("plugins.reviews", domain="display")
