"""The inline SVG icons a ``core.sdk.Badge`` may name in ``icon``.

Drawn for Haat on a 24×24 grid with round 2-unit strokes in ``currentColor``, so an
icon takes the colour of the badge text and needs no request of its own. Every icon is
decorative (the badge's label says the same thing in words): ``aria-hidden`` hides it
from assistive technology and ``focusable="false"`` keeps it out of the tab order in
old browsers.
"""

from __future__ import annotations

from markupsafe import Markup

#: Icon name -> the SVG elements inside ``<svg>``. Constant, trusted markup.
ICONS: dict[str, str] = {
    "lock": '<rect x="5" y="11" width="14" height="10" rx="2"/>'
            '<path d="M8 11V7.5a4 4 0 0 1 8 0V11"/><path d="M12 15v2"/>',
    "card": '<rect x="3" y="5" width="18" height="14" rx="2"/>'
            '<path d="M3 10h18M7 15h4"/>',
    "cash": '<rect x="2" y="6" width="20" height="12" rx="2"/>'
            '<circle cx="12" cy="12" r="2.5"/><path d="M6 9.5v.01M18 14.5v.01"/>',
    "bank": '<path d="M3 9.5 12 4l9 5.5M5 10v7M9.5 10v7M14.5 10v7M19 10v7M3 20h18"/>',
    "wallet": '<path d="M5 7V6a2 2 0 0 1 2-2h9v3"/>'
              '<rect x="3" y="7" width="18" height="13" rx="2"/><path d="M16 13.5h.01"/>',
    "truck": '<path d="M2 5h11v10H2zM13 9h4l4 4v2h-8z"/>'
             '<circle cx="6.5" cy="17.5" r="2"/><circle cx="17" cy="17.5" r="2"/>',
    "return": '<path d="M9 14 4 9l5-5"/><path d="M4 9h10.5a5.5 5.5 0 0 1 0 11H11"/>',
    "star": '<path d="M12 2.5 14.5 9l7 .4-5.4 4.4 1.8 6.8-5.9-3.8-5.9 3.8 1.8-6.8-5.4-4.4 '
            '7-.4z"/>',
    "phone": '<rect x="7" y="2" width="10" height="20" rx="2"/><path d="M11 18h2"/>',
    "map-pin": '<path d="M12 21s-7-6.2-7-11a7 7 0 0 1 14 0c0 4.8-7 11-7 11z"/>'
               '<circle cx="12" cy="10" r="2.5"/>',
    "shield": '<path d="M12 3 20 6v6c0 4.5-3.4 8.2-8 9-4.6-.8-8-4.5-8-9V6z"/>'
              '<path d="m8.5 12 2.5 2.5 4.5-5"/>',
}

_SVG = ('<svg class="badge-icon badge-icon-{name}" xmlns="http://www.w3.org/2000/svg" '
        'viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" '
        'stroke-width="2" stroke-linecap="round" stroke-linejoin="round" '
        'aria-hidden="true" focusable="false">{body}</svg>')


def icon_svg(name: str) -> Markup:
    """The inline SVG for icon ``name``; empty for an empty or unknown name."""
    body = ICONS.get(name or "")
    if body is None:
        return Markup("")
    # ``name`` is a key of ICONS (a constant), never text from a plugin.
    return Markup(_SVG.format(name=name, body=body))  # noqa: S704 - constant markup
