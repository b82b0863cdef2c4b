"""A small translated plugin for the suite, "gift-wrap": its title, description, settings
labels, help texts, choices and shopper-facing words come from its own catalogue
(``translations/<lang>/LC_MESSAGES/messages.po``) through ``core.sdk.PluginText``.

It is written like a third-party plugin (it imports only ``core.sdk``);
``tests/test_plugin_translations.py`` installs it.
"""
