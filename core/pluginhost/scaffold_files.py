"""The files ``haat plugin new`` writes, as ``string.Template`` texts.

Paths and texts may use ``$name`` (``my-badges``), ``$title`` (``My badges``),
``$distribution`` (``haat-my-badges``), ``$module`` (``haat_my_badges``), ``$table``
(``my_badges_purchases``), ``$revision`` (``my_badges_0001``) and ``$core_revision``
(core's latest revision in the installed Haat, which the new branch depends on); ``$$``
is a dollar sign.

The generated plugin imports only ``core.sdk`` (plus Flask, SQLAlchemy and Alembic in
its migration), like any third-party plugin.
"""
# ruff: noqa: E501 (the texts keep the line lengths of the files they become)

from __future__ import annotations

PYPROJECT = """\
[build-system]
requires = ["setuptools>=68", "wheel"]
build-backend = "setuptools.build_meta"

[tool.pytest.ini_options]
testpaths = ["tests"]
addopts = "-ra"
"""

SETUP_CFG = """\
[metadata]
name = $distribution
version = 0.1.0
description = $title: a Haat plugin.
long_description = file: README.md
long_description_content_type = text/markdown

[options]
python_requires = >=3.11
# find_namespace: also takes the data folders (templates/, static/, translations/),
# which have no __init__.py.
packages = find_namespace:
include_package_data = True
install_requires =
    haat

[options.packages.find]
include =
    $module
    $module.*

# Files the plugin reads at run time besides its Python modules. A wheel (and so any
# non-editable `pip install`) carries only what is listed here; MANIFEST.in does the
# same for the source distribution. tests/test_packaging.py checks them.
[options.package_data]
$module =
    templates/**/*.html
    static/*.css
    translations/*/LC_MESSAGES/*.po
    migrations/*.py

[options.entry_points]
haat.plugins =
    $name = $module.plugin
"""

MANIFEST_IN = """\
# What the source distribution carries besides the Python modules (setup.cfg's
# package_data lists the same files for the wheel).
include README.md
graft $module/templates
graft $module/static
recursive-include $module/translations *.po
recursive-include $module/migrations *.py
graft tests
global-exclude __pycache__ *.py[cod]
"""

INIT = '''\
"""$title: a Haat plugin (plugin.py has the manifest and the hooks)."""
'''

TEXT = '''\
"""The plugin's own words, translated from its catalogues in translations/<language>/.

``_("Recently bought")`` translates into the language of the moment (the shopper's on
the storefront, the merchant's in the admin); ``_.lazy(...)`` is for texts made at
import time, such as the manifest's title and the settings' labels.
"""

from __future__ import annotations

from core.sdk import PluginText

_ = PluginText(__package__)
'''

PLUGIN = '''\
"""$title: a Haat plugin.

Shows shoppers what others bought lately. Every order placed is remembered in the
plugin's own table (the product and the city it goes to, never a name or an address).
A page in the store's theme lists the latest ones:
``/$name/recent``.
A link with the merchant's words at the foot of every page leads there.

Haat finds this module through its ``haat.plugins`` entry point (see setup.cfg).
Import only from ``core.sdk``: everything else in Haat is private.
"""

from __future__ import annotations

from core.sdk import (
    OrderSnapshot,
    PageContext,
    PluginManifest,
    SlotContent,
    StoreInfo,
    TextField,
    hookimpl,
    store_session,
)
from flask import Blueprint

from $module.models import Purchase
from $module.text import _
from $module.views import PAGE, bp

manifest = PluginManifest(
    name="$name",
    title=_.lazy("$title"),
    description=_.lazy("Shows what shoppers bought lately on a page of its own, linked "
                       "from the footer."),
    # The plugin's Alembic branch: `haat db upgrade` creates its table.
    migrations="$module.migrations",
    settings=(
        TextField(
            "message",
            _.lazy("Footer link text"),
            help=_.lazy("The words of the link at the foot of every page, for example "
                        "“See what others bought”."),
            required=True,
            max_length=200,
        ),
    ),
)


@hookimpl
def haat_slot(store: StoreInfo, name: str, page: PageContext) -> SlotContent | None:
    """Link to the page from the footer, in the merchant's words (core escapes them)."""
    if name != "footer":
        return None
    message = store.plugin_settings(manifest.name).get("message")
    return SlotContent(text=message, url=PAGE) if message else None


@hookimpl
def haat_order_placed(store: StoreInfo, order: OrderSnapshot) -> None:
    """Remember each line of the order: its title and the city it goes to.

    Lifecycle hooks run after the order is committed, so writing here is safe.
    """
    city = order.address.city if order.address else ""
    with store_session(store) as session:
        for line in order.lines:
            session.add(Purchase(product_id=line.product_id or None, title=line.title[:200],
                                 city=city[:100]))


@hookimpl
def haat_blueprints() -> list[Blueprint]:
    """The page (views.py); Haat answers 404 on stores that have not switched it on."""
    return [bp]
'''

MODELS = '''\
"""$title's own table, declared through ``core.sdk.plugin_model_base``.

Each row belongs to one store (``tenant_id`` is added for you), and Haat's isolation
guards keep every query to the store in scope. The schema ships as the plugin's
Alembic branch in migrations/; after changing a model, write the next revision with
``haat plugin migration $name -m "what changed"``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from core.sdk import plugin_model_base
from sqlalchemy import DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

Base = plugin_model_base("$name")


def _now() -> datetime:
    return datetime.now(UTC)


class Purchase(Base):
    """One line of an order placed: what was bought, and the city it goes to."""

    __tablename__ = "$table"
    # The page lists a store's newest rows: tenant_id first, as in every index.
    __table_args__ = (Index(None, "tenant_id", "bought_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``None`` when the line had no product any more.
    product_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100), default="")
    bought_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
'''

VIEWS = '''\
"""The plugin's page in the store's theme: the latest purchases.

It is ``/$name/recent`` on the store's host.
"""

from __future__ import annotations

from core.sdk import current_store, render_page, store_session
from flask import Blueprint
from sqlalchemy import select

from $module.models import Purchase
from $module.text import _

#: The page's path, on the host of every store that has the plugin switched on.
PAGE = "/$name/recent"
#: How many purchases the page shows, newest first.
SHOWN = 20

# templates/ and static/ are package data (setup.cfg and MANIFEST.in list them).
bp = Blueprint(
    "$module", __name__, template_folder="templates", static_folder="static",
    static_url_path="/$name/static",
)


@bp.get(PAGE)
def recent() -> str:
    """The store's latest purchases, inside its theme (header, cart, footer)."""
    with store_session(current_store()) as session:
        purchases = list(session.scalars(
            select(Purchase).order_by(Purchase.bought_at.desc(), Purchase.id.desc())
            .limit(SHOWN)))
    return render_page(
        "$module/recent.html",
        title=_("Recently bought"),
        description=_("What shoppers bought from this shop lately."),
        purchases=purchases,
        t=_,
    )
'''

TEMPLATE = """\
{#- $title's page inside the store's theme: it extends the theme's layout and fills its
    "meta" and "content" blocks (the theme shows the title as the page's heading). -#}
{% extends layout %}
{% block meta %}<link rel="stylesheet" href="{{ url_for('$module.static', filename='$module.css') }}">{% endblock %}
{% block content %}
<p class="$module-intro">{{ t("What shoppers bought from this shop lately.") }}</p>
{% if purchases %}
<ul class="$module-list">
  {% for purchase in purchases %}
  <li class="$module-item">
    <span class="$module-title">{{ purchase.title }}</span>
    {% if purchase.city %}<span class="$module-city">{{ t("Delivery to %(city)s", city=purchase.city) }}</span>{% endif %}
    <time datetime="{{ purchase.bought_at.isoformat() }}">{{ purchase.bought_at|store_date }}</time>
  </li>
  {% endfor %}
</ul>
{% else %}
<p class="$module-empty">{{ t("Nothing here yet: the next orders will show up on this page.") }}</p>
{% endif %}
{% endblock %}
"""

STYLES = """\
/* $title: the recent purchases page. Colours and fonts come from the store's theme
   (currentColor); this only lays the list out, from 360 px up. */
.$module-intro{margin:0 0 1.5rem;max-width:40rem}
.$module-list{list-style:none;margin:0;padding:0;display:grid;gap:.75rem}
.$module-item{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:baseline;padding:.75rem 1rem;border:1px solid color-mix(in srgb,currentColor 25%,transparent);border-radius:.5rem;overflow-wrap:anywhere}
.$module-title{font-weight:600}
.$module-city,.$module-item time{font-size:.9rem;opacity:.8}
"""

MIGRATIONS_INIT = '''\
"""$title's Alembic revisions: its own branch, labelled "$name".

Haat reads the revision files of this folder (the manifest's ``migrations``). This file
makes the folder a package, so that it ships with the plugin.
"""
'''

FIRST_REVISION = """\
\"\"\"$name: purchases

Revision ID: $revision
Revises:
Create Date: 2026-01-01 00:00:00

The first revision of the plugin's branch: it runs after core's latest revision when
the package was made (so every core table it may reference exists) and creates the
plugin's table.
\"\"\"
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '$revision'
down_revision = None
branch_labels = ('$name',)
depends_on = '$core_revision'


def upgrade():
    op.create_table('$table',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('bought_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_${table}_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_$table'))
    )
    with op.batch_alter_table('$table', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_${table}_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_${table}_tenant_id_bought_at'), ['tenant_id', 'bought_at'], unique=False)


def downgrade():
    with op.batch_alter_table('$table', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_${table}_tenant_id_bought_at'))
        batch_op.drop_index(batch_op.f('ix_${table}_tenant_id'))

    op.drop_table('$table')
"""

_PO_HEADER = """\
# $language translations for $distribution: the plugin's words in the storefront and
# the admin. Babel reads this file as it is (no compile step). A message left empty is
# shown in English.
msgid ""
msgstr ""
"Project-Id-Version: $distribution 0.1.0\\n"
"Language: $code\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"

# The plugin's name in the admin: translate it once you have chosen it.
msgid "$title"
msgstr ""

"""

#: msgid -> (Bengali, Armenian) for the scaffold's own messages.
_MESSAGES: dict[str, tuple[str, str]] = {
    "Shows what shoppers bought lately on a page of its own, linked from the footer.": (
        "ক্রেতারা সম্প্রতি কী কিনেছেন, তা নিজস্ব একটি পাতায় দেখায়; ফুটারে সেই পাতার "
        "লিংক থাকে।",
        "Ցույց է տալիս, թե ինչ են գնորդները վերջերս գնել՝ առանձին էջում, որի հղումը "
        "կայքի ստորին մասում է։"),
    "Footer link text": ("ফুটারের লিংকের লেখা", "Ստորին հղման տեքստը"),
    "The words of the link at the foot of every page, for example “See what others "
    "bought”.": (
        "প্রতিটি পাতার নিচের লিংকের কথাগুলো, যেমন “অন্যরা কী কিনেছেন দেখুন”।",
        "Յուրաքանչյուր էջի ներքևի հղման բառերը, օրինակ՝ «Տեսեք, թե ինչ են գնել "
        "ուրիշները»։"),
    "Recently bought": ("সম্প্রতি কেনা হয়েছে", "Վերջերս գնված"),
    "What shoppers bought from this shop lately.": (
        "এই দোকান থেকে ক্রেতারা সম্প্রতি যা কিনেছেন।",
        "Այն, ինչ գնորդները վերջերս գնել են այս խանութից։"),
    "Nothing here yet: the next orders will show up on this page.": (
        "এখানে এখনো কিছু নেই: পরের অর্ডারগুলো এই পাতায় দেখা যাবে।",
        "Այստեղ դեռ ոչինչ չկա․ հաջորդ պատվերները կհայտնվեն այս էջում։"),
    "Delivery to %(city)s": ("ডেলিভারি: %(city)s", "Առաքում՝ %(city)s"),
}


def _po_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _catalogue(language: str, code: str, index: int) -> str:
    """A plugin catalogue: the header, then each message with its translation."""
    header = _PO_HEADER.replace("$language", language).replace("$code", code)
    entries = [f"msgid {_po_string(msgid)}\nmsgstr {_po_string(texts[index])}\n"
               for msgid, texts in _MESSAGES.items()]
    return header + "\n".join(entries)


README = """\
# $distribution

$title: a plugin for Haat, the multi-tenant store builder.

It shows shoppers what others bought lately. Every order placed is remembered in the
plugin's own table (the product's title and the city it goes to; never a name, phone
or address), and a page in the store's theme, `/$name/recent`, lists the latest 20.
A link at the foot of every page leads there, in the merchant's words (the setting
"Footer link text"). Turn it into your own plugin: keep what you need, and the tests
show how each part is tested.

## Develop

In the virtual environment where Haat is installed:

```sh
pip install -e .          # registers the haat.plugins entry point "$name"
haat db upgrade           # creates the plugin's table (its own Alembic branch)
python -m pytest
```

Restart Haat and the plugin appears, switched off, in every store's plugin list at
`/admin/plugins` (`haat plugin list` shows it). The tests use Haat's pytest fixtures
(`haat_store`, `haat_enable_plugin`, `haat_product`, `haat_checkout`, `haat_client`,
...), which come with Haat; no `conftest.py` is needed. The fixtures build the schema
with the migrations, this plugin's branch included.

## Check the package, as operators will install it

An editable install reads the files from this folder, so it hides a file that the
package forgets to ship. Before publishing, install it the way operators will and run
the tests against that copy:

```sh
pip install .             # not -e: a wheel, like `pip install $distribution`
python -P -m pytest       # -P: import the installed copy, not the one in this folder
```

`tests/test_packaging.py` then checks that the installed package holds its templates,
stylesheet, catalogues and migrations, and that it is the installed copy being
tested. Under an editable install it says so and skips that last check.

## Layout

| file | what |
|---|---|
| `$module/plugin.py` | the manifest (name, title, settings, migrations) and the hooks |
| `$module/models.py` | the plugin's table, `$table` (`core.sdk.plugin_model_base`) |
| `$module/migrations/` | the plugin's Alembic branch "$name"; `$revision` creates the table |
| `$module/views.py` | the page `/$name/recent`, rendered in the store's theme (`core.sdk.render_page`) |
| `$module/templates/$module/recent.html` | the page's template (extends the theme's layout) |
| `$module/static/$module.css` | its stylesheet, served at `/$name/static/$module.css` |
| `$module/text.py` | `_ = PluginText(__package__)`: the plugin's translations |
| `$module/translations/{bn,hy}/LC_MESSAGES/messages.po` | Bengali and Armenian |
| `setup.cfg`, `MANIFEST.in` | package metadata, the entry point, and the data files to ship |
| `tests/test_plugin.py` | the plugin through the storefront, with Haat's fixtures |
| `tests/test_packaging.py` | the installed package carries its data files |

A new file type under `$module/` (images, JSON, ...) must be added to
`[options.package_data]` in `setup.cfg` and to `MANIFEST.in`, or installed copies will
not have it. After changing `models.py`, write the next revision of the branch with
`haat plugin migration $name -m "what changed"`.

See Haat's docs: docs/plugins.md (writing plugins), docs/hooks.md (every hook) and
docs/testing-plugins.md (the fixtures and the checkout form's field names).

## Publish

```sh
python -m build            # an sdist and a wheel in dist/
python -m twine upload dist/*
```

Operators install it with `pip install $distribution` next to Haat, then run
`haat db upgrade` and restart Haat.
"""

TEST_PLUGIN = '''\
"""Tests for $name through the storefront, with Haat's pytest fixtures.

The orders are placed like a shopper would (``haat_checkout``), with Haat's own
delivery rates ("shipping") and cash on delivery switched on for the store.
"""

from __future__ import annotations

import pytest

PLUGIN = "$name"
PAGE = "/$name/recent"
STYLESHEET = "/$name/static/$module.css"
LINK = "See what others bought"


@pytest.fixture
def shop(haat_store, haat_enable_plugin):
    """A Bangladeshi store that delivers and takes cash, with the plugin switched on."""
    store = haat_store("first-shop", currency="BDT")
    haat_enable_plugin(store, "shipping")
    haat_enable_plugin(store, "cash-on-delivery")
    haat_enable_plugin(store, PLUGIN, settings={"message": LINK})
    return store


def _html(response):
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_footer_links_to_the_page_only_where_enabled(shop, haat_store, haat_client):
    other = haat_store("second-shop")
    assert f'<a href="{PAGE}">{LINK}</a>' in _html(haat_client(shop).get("/"))
    assert LINK not in _html(haat_client(other).get("/"))
    assert haat_client(other).get(PAGE).status_code == 404


def test_the_page_lists_what_was_bought_in_the_stores_theme(shop, haat_product,
                                                            haat_checkout, haat_client):
    kantha = haat_product(shop, "kantha", title="Nakshi kantha", price=150000)
    haat_checkout(shop, [kantha], address={"city": "Sylhet", "region": "Sylhet"})

    page = _html(haat_client(shop).get(PAGE))
    assert "Nakshi kantha" in page
    assert "Delivery to Sylhet" in page
    assert "Recently bought" in page
    assert "First Shop" in page  # the theme's header: the store's name
    assert STYLESHEET in page
    assert "Rahima" not in page  # never the shopper's name


def test_the_stylesheet_is_served(shop, haat_client):
    sheet = haat_client(shop).get(STYLESHEET)
    assert sheet.status_code == 200
    assert ".$module-list" in sheet.get_data(as_text=True)


def test_stores_see_only_their_own_purchases(shop, haat_store, haat_enable_plugin,
                                             haat_product, haat_checkout, haat_client):
    other = haat_store("second-shop", currency="BDT")
    for store in (other,):
        haat_enable_plugin(store, "shipping")
        haat_enable_plugin(store, "cash-on-delivery")
        haat_enable_plugin(store, PLUGIN, settings={"message": LINK})
    haat_checkout(shop, [haat_product(shop, "kantha", title="Nakshi kantha")])

    assert "Nakshi kantha" not in _html(haat_client(other).get(PAGE))
    assert "Nothing here yet" in _html(haat_client(other).get(PAGE))


def test_the_page_speaks_the_shoppers_language(haat_store, haat_enable_plugin, haat_client):
    store = haat_store("dhaka-shop", locale="bn", currency="BDT")
    haat_enable_plugin(store, PLUGIN, settings={"message": "অন্যরা কী কিনেছেন দেখুন"})
    page = _html(haat_client(store).get(PAGE))
    assert "সম্প্রতি কেনা হয়েছে" in page  # "Recently bought"
    assert "এখানে এখনো কিছু নেই" in page


def test_the_link_text_is_required(shop, haat_enable_plugin):
    with pytest.raises(AssertionError, match="message"):
        haat_enable_plugin(shop, PLUGIN, settings={"message": ""})
'''

TEST_PACKAGING = '''\
"""The installed package carries every file the plugin reads at run time.

Run it against a non-editable install, as operators get the plugin::

    pip install .
    python -P -m pytest

An editable install (``pip install -e .``) reads the files from the source folder, so
a file missing from setup.cfg's package_data or MANIFEST.in only shows up here after a
real install.
"""

from __future__ import annotations

from importlib.metadata import distribution
from importlib.resources import files
from pathlib import Path

import pytest

import $module

PACKAGE = "$module"
DATA_FILES = (
    "templates/$module/recent.html",
    "static/$module.css",
    "migrations/__init__.py",
    "migrations/${revision}_purchases.py",
    "translations/bn/LC_MESSAGES/messages.po",
    "translations/hy/LC_MESSAGES/messages.po",
)


@pytest.mark.parametrize("path", DATA_FILES)
def test_the_package_holds(path):
    found = files(PACKAGE).joinpath(path)
    assert found.is_file(), (
        f"{path} is missing from the installed {PACKAGE}: list it in setup.cfg "
        "[options.package_data] and in MANIFEST.in")


def test_the_installed_copy_is_the_one_tested():
    source = Path(__file__).resolve().parents[1] / PACKAGE
    tested = Path($module.__file__).resolve().parent
    if tested == source:
        pytest.skip("testing the source folder (an editable install, or the current "
                    "folder on sys.path): run `pip install .` then `python -P -m pytest`")
    recorded = {str(f) for f in distribution("$distribution").files or ()}
    for path in DATA_FILES:
        assert f"{PACKAGE}/{path}" in recorded, f"{path} was not installed with the package"
'''

#: Relative path (a template) -> file text (a template).
FILES: dict[str, str] = {
    "pyproject.toml": PYPROJECT,
    "setup.cfg": SETUP_CFG,
    "MANIFEST.in": MANIFEST_IN,
    "README.md": README,
    "$module/__init__.py": INIT,
    "$module/text.py": TEXT,
    "$module/plugin.py": PLUGIN,
    "$module/models.py": MODELS,
    "$module/views.py": VIEWS,
    "$module/templates/$module/recent.html": TEMPLATE,
    "$module/static/$module.css": STYLES,
    "$module/migrations/__init__.py": MIGRATIONS_INIT,
    "$module/migrations/${revision}_purchases.py": FIRST_REVISION,
    "$module/translations/bn/LC_MESSAGES/messages.po": _catalogue("Bengali", "bn", 0),
    "$module/translations/hy/LC_MESSAGES/messages.po": _catalogue("Armenian", "hy", 1),
    "tests/test_plugin.py": TEST_PLUGIN,
    "tests/test_packaging.py": TEST_PACKAGING,
}
