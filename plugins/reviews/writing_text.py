"""The words of the review forms (writing a review, the review-request link, the spam
filter's reasons): ``translations/<lang>/LC_MESSAGES/writing.po``."""

from core.sdk import PluginText

_ = PluginText("plugins.reviews", domain="writing")
