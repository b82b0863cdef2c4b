"""Server-rendered charts: no JavaScript, no outside requests.

:func:`bar_chart` turns ``[(day, amount), ...]`` into a small block of HTML: an inline
SVG with one bar per day (``role="img"`` with a ``<title>`` and a ``<desc>`` that sums
it up for screen readers), the axis labels as HTML text around it (so they stay
readable at any width, where text inside a stretched SVG would shrink or distort) and
the same numbers as a table inside a ``<details>`` for anyone who prefers figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from flask_babel import gettext as _
from markupsafe import Markup, escape

#: The SVG's own coordinate space; CSS stretches it to the width available.
BAR_WIDTH = 10
BAR_GAP = 2
HEIGHT = 100


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ (whole numbers only) that is at least ``value``."""
    if value <= 1:
        return 1
    scale = 1
    while True:
        for step in (1, 2, 5, 10):
            if step * scale >= value:
                return step * scale
            if step == 2 and scale >= 10 and 25 * scale // 10 >= value:
                return 25 * scale // 10
        scale *= 10


def _bar(index: int, day: date, amount: int, top: int, label: str) -> str:
    height = 0.0 if amount <= 0 else max(amount * HEIGHT / top, 0.8)  # a sale stays visible
    x = index * (BAR_WIDTH + BAR_GAP) + BAR_GAP / 2
    return (f'<rect class="chart-bar" x="{x:g}" y="{HEIGHT - height:.2f}" width="{BAR_WIDTH}" '
            f'height="{height:.2f}" data-day="{day.isoformat()}" data-amount="{amount}">'
            f"<title>{escape(label)}</title></rect>")


def bar_chart(points: Sequence[tuple[date, int]], *, chart_id: str, title: str,
              format_amount: Callable[[int], str],
              format_day: Callable[[date], str],
              format_count: Callable[[int], str] = str) -> Markup:
    """An accessible bar chart of amounts per day (minor units; negatives drawn as 0).

    ``format_amount`` writes an amount in the store's currency and digits and
    ``format_day`` a day in the store's language; both are used for the axis labels,
    the summary and the table. ``format_count`` writes the number of days without
    sales in the summary (the store's digits).
    """
    if not points:
        raise ValueError("a chart needs at least one day")
    amounts = [max(amount, 0) for _day, amount in points]
    top = nice_ceiling(max(amounts))
    best_index = max(range(len(amounts)), key=lambda i: (amounts[i], i))
    first, last = points[0][0], points[-1][0]
    if amounts[best_index]:
        summary = _("From %(first)s to %(last)s: %(total)s in all. The best day was "
                    "%(day)s with %(amount)s; %(empty)s days had no sales.",
                    first=format_day(first), last=format_day(last),
                    total=format_amount(sum(amounts)), day=format_day(points[best_index][0]),
                    amount=format_amount(amounts[best_index]),
                    empty=format_count(sum(1 for a in amounts if a == 0)))
    else:
        summary = _("No sales from %(first)s to %(last)s.", first=format_day(first),
                    last=format_day(last))
    width = len(points) * (BAR_WIDTH + BAR_GAP)
    bars = "".join(_bar(i, day, amount, top, f"{format_day(day)}: {format_amount(amount)}")
                   for i, ((day, _raw), amount) in enumerate(zip(points, amounts, strict=True)))
    grid = "".join(f'<line class="chart-grid" x1="0" x2="{width}" y1="{y}" y2="{y}" '
                   'vector-effect="non-scaling-stroke"/>' for y in (0, HEIGHT // 2, HEIGHT))
    middle = points[len(points) // 2][0]
    rows = "".join(f'<tr><th scope="row">{escape(format_day(day))}</th>'
                   f'<td class="num">{escape(format_amount(amount))}</td></tr>'
                   for day, amount in points)
    # Outside the f-string, or the catalogue's extractor would not find the messages.
    as_table, day_heading = _("Show the figures as a table"), _("Day")
    sales_heading = _("Sales")
    html = (
        f'<figure class="chart" id="{escape(chart_id)}">'
        '<div class="chart-plot">'
        '<div class="chart-y" aria-hidden="true">'
        f"<span>{escape(format_amount(top))}</span>"
        f"<span>{escape(format_amount(top // 2) if top % 2 == 0 else '')}</span>"
        f"<span>{escape(format_amount(0))}</span></div>"
        f'<svg class="chart-svg" role="img" viewBox="0 0 {width} {HEIGHT}" '
        f'preserveAspectRatio="none" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'xmlns="http://www.w3.org/2000/svg" focusable="false">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(summary)}</desc>'
        f"{grid}{bars}</svg>"
        '<div class="chart-x" aria-hidden="true">'
        f"<span>{escape(format_day(first))}</span><span>{escape(format_day(middle))}</span>"
        f"<span>{escape(format_day(last))}</span></div></div>"
        # Screen readers already have the summary as the SVG's description.
        f'<p class="chart-summary" aria-hidden="true">{escape(summary)}</p>'
        f'<details class="chart-table"><summary>{escape(as_table)}</summary>'
        '<div class="table-wrap"><table><thead><tr><th scope="col">'
        f'{escape(day_heading)}</th><th scope="col" class="num">{escape(sales_heading)}</th>'
        "</tr>"
        f"</thead><tbody>{rows}</tbody></table></div></details>"
        "</figure>"
    )
    return Markup(html)  # noqa: S704 - every piece of text above is escaped
