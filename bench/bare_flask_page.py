"""The reference page for ``bench/storefront_speed.py``: bare Flask + Jinja, no database.

One route renders one template (``bench/templates/bare_page.html``): a header, a nav of
six links, a product block, a few paragraphs, four related cards and a footer, with
loops and variables like a real product page. The text is Bengali, like the demo store,
so the page pays for UTF-8 encoding the same way.

``BARE_PAGE_BYTES`` (environment) sets the size to aim for: the number of description
paragraphs is chosen once at import so the page comes out at about that many bytes
(the benchmark passes the size of the real product page). Serve it with::

    .venv/bin/gunicorn --chdir bench bare_flask_page:app
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, render_template

app = Flask(__name__, template_folder=str(Path(__file__).resolve().parent / "templates"))

PARAGRAPH = ("নরম সুতি কাপড়ের তিন পরতে হাতে ফোঁড় তোলা পূর্ণ মাপের নকশি কাঁথা। মাঝখানে পদ্ম, "
             "চারপাশে লতাপাতা, মাছ আর পালকির মোটিফ — যশোরের কারিগরদের প্রায় দুই মাসের পরিশ্রম।")
CONTEXT: dict[str, Any] = {
    "lang": "bn",
    "store": {"name": "ঢাকা ক্র্যাফটস", "address": "ধানমন্ডি, ঢাকা ১২০৫",
              "email": "hello@dhaka-crafts.example", "phone": "+৮৮০ ১৭১১ ০০০০০০"},
    "nav": [{"href": f"/collections/{handle}", "title": title, "current": handle == "all"}
            for handle, title in (("all", "সব পণ্য"), ("bestsellers", "সেরা বিক্রি"),
                                  ("nakshi-kantha", "নকশি কাঁথা"),
                                  ("sarees-textiles", "শাড়ি ও তাঁতবস্ত্র"),
                                  ("terracotta-pottery", "টেরাকোটা ও মৃৎশিল্প"),
                                  ("brass-kansa", "কাঁসা ও পিতল"))],
    "product": {"title": "নকশি কাঁথা বিছানার চাদর", "price": "৳৮,৫০০.০০",
                "compare_at": "৳৯,৮০০.০০", "stock": 4, "tags": ["নকশি কাঁথা", "হাতের কাজ"],
                "paragraphs": []},
    "related_title": "আরও দেখুন",
    "related": [{"handle": f"related-{i}", "title": f"নকশি কাঁথা কুশন কভার {i}",
                 "price": "৳১,২৫০.০০"} for i in range(4)],
}


def _paragraphs(chars: int) -> list[str]:
    """``chars`` characters of description, as paragraphs of ``PARAGRAPH``'s length."""
    text = (PARAGRAPH * (chars // len(PARAGRAPH) + 1))[:chars]
    return [text[i:i + len(PARAGRAPH)] for i in range(0, chars, len(PARAGRAPH))]


def _fit_to_size(target: int) -> None:
    """Choose how much description text brings the page to about ``target`` bytes."""
    chars = 40  # the least: one short paragraph
    bytes_per_char = len(PARAGRAPH.encode()) / len(PARAGRAPH)
    with app.app_context():
        for _ in range(4):  # converges in two or three steps
            CONTEXT["product"]["paragraphs"] = _paragraphs(chars)
            size = len(render_template("bare_page.html", **CONTEXT).encode())
            chars = max(40, chars + round((target - size) / bytes_per_char))


_fit_to_size(int(os.environ.get("BARE_PAGE_BYTES") or 6000))


@app.get("/")
def page() -> str:
    return render_template("bare_page.html", **CONTEXT)
