"""The Steadfast plugin's words for the merchant, in the admin's language.

A plugin may import only ``core.sdk``, so its words come from its own gettext catalogue
(``translations/<language>/LC_MESSAGES/messages.po``, read as it is). The shopper reads
nothing of this plugin's own: the journey's steps are named by Haat, and a step's
description is Steadfast's own message.
"""

from __future__ import annotations

from core.sdk import PluginText

_ = PluginText(__package__)
