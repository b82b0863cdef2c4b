"""The words of review requests and of the merchant's admin pages, in their own
catalogue (``translations/<lang>/LC_MESSAGES/manage.po``)."""

from core.sdk import PluginText

_ = PluginText("plugins.reviews", domain="manage")
