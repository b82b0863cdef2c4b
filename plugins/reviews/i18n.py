"""The plugin's catalogue of words (``translations/<lang>/LC_MESSAGES/messages.po``)."""

from core.sdk import PluginText

_ = PluginText(__package__)
