"""The plugin's admin words (manifest, settings, the zones text's errors) in the
merchant's language: its gettext catalogue in ``translations/<lang>/LC_MESSAGES``.

What shoppers read at checkout ("Free", "1-2 days", why an address gets no rate) stays
in ``texts.py``.
"""

from __future__ import annotations

from core.sdk import LazyText, PluginText

_ = PluginText(__package__)


def render(message: LazyText | str, locale: str | None = None) -> str:
    """``message`` in ``locale`` (``None``: the language of the moment), with the lazy
    texts among its variables rendered in that same language.

    A ``LazyText`` on its own turns its nested messages into text in the language of the
    moment; this lets a message be written out in a language given explicitly (English
    for logs, the merchant's in the settings form)."""
    if not isinstance(message, LazyText):
        return str(message)
    values = {name: render(value, locale) if isinstance(value, LazyText) else value
              for name, value in message.variables.items()}
    return _.gettext(message.message, locale=locale, **values)
