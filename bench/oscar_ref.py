"""Django-Oscar 4 as a reference shop for ``bench/storefront_tail.py --oscar``.

``build_oscar(home)`` makes, once, under ``home`` (``~/.cache/haat-bench/oscar``): a
venv (``python3.11 -m venv``; ``pip install 'django-oscar[sorl-thumbnail]==4.*' gunicorn``), a
minimal project as Oscar's "Building your own shop" describes (settings on
``oscar.defaults``, Haystack's simple search backend, SQLite), migrated, with 40
products in 4 categories, 10 of them with "saree" in the title (the search word). Nothing
of Oscar is committed; this script builds it. ``oscar_paths(home)`` gives the pages to
measure: product, category, search and basket.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

SEARCH_WORD = "saree"

SETTINGS = '''\
from oscar.defaults import *  # noqa: F403

BASE = __import__("pathlib").Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
SITE_ID = 1
ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE / "oscar.db"}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
STATIC_URL = "/static/"
MEDIA_ROOT = BASE / "media"
MEDIA_URL = "/media/"
INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
    "django.contrib.sites", "django.contrib.flatpages",
    "oscar.config.Shop",
    "oscar.apps.analytics.apps.AnalyticsConfig",
    "oscar.apps.checkout.apps.CheckoutConfig",
    "oscar.apps.address.apps.AddressConfig",
    "oscar.apps.shipping.apps.ShippingConfig",
    "oscar.apps.catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "oscar.apps.partner.apps.PartnerConfig",
    "oscar.apps.basket.apps.BasketConfig",
    "oscar.apps.payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "oscar.apps.order.apps.OrderConfig",
    "oscar.apps.customer.apps.CustomerConfig",
    "oscar.apps.search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "oscar.apps.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "oscar.apps.dashboard.orders.apps.OrdersDashboardConfig",
    "oscar.apps.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    "widget_tweaks", "haystack", "treebeard", "sorl.thumbnail", "django_tables2",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
]
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.debug",
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.template.context_processors.i18n",
        "django.contrib.messages.context_processors.messages",
        "oscar.apps.search.context_processors.search_form",
        "oscar.apps.checkout.context_processors.checkout",
        "oscar.apps.communication.notifications.context_processors.notifications",
        "oscar.core.context_processors.metadata",
    ]},
}]
AUTHENTICATION_BACKENDS = ["oscar.apps.customer.auth_backends.EmailBackend",
                           "django.contrib.auth.backends.ModelBackend"]
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
'''

URLS = '''\
from django.apps import apps
from django.urls import include, path

urlpatterns = [path("i18n/", include("django.conf.urls.i18n")),
               path("", include(apps.get_app_config("oscar").urls[0]))]
'''

WSGI = '''\
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
application = get_wsgi_application()
'''

# Runs inside Oscar's venv (``manage.py shell``): 40 products, writes the paths to measure.
LOAD = '''\
import json
from decimal import Decimal

from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

ProductClass = get_model("catalogue", "ProductClass")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")

kind, _ = ProductClass.objects.get_or_create(name="Craft", requires_shipping=True,
                                             track_stock=True)
partner, _ = Partner.objects.get_or_create(name="Dhaka Crafts")
names = ["Textiles", "Pottery", "Brass", "Jute"]
categories = [create_from_breadcrumbs(name) for name in names]
text = "Hand-stitched by artisans in Jessore over two months. " * 12
first = None
for i in range(40):
    title = f"Jamdani saree {i}" if i % 4 == 0 else f"{names[i % 4]} piece {i}"
    product = Product.objects.create(title=title, product_class=kind, description=text,
                                     structure="standalone")
    ProductCategory.objects.create(product=product, category=categories[i % 4])
    StockRecord.objects.create(product=product, partner=partner, partner_sku=f"SKU{i}",
                               price=Decimal("8500.00"), price_currency="GBP",
                               num_in_stock=1000)
    first = first or product
print("BENCH " + json.dumps({
    "product": first.get_absolute_url(), "category": categories[0].get_absolute_url(),
    "search": "/search/?q=saree", "basket": "/basket/"}))
'''


def run(command: list[str], cwd: Path, what: str) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True,  # noqa: S603
                          check=False)
    if done.returncode:
        raise RuntimeError(f"Oscar build: {what} failed ({done.returncode}):\n"
                           f"{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return done.stdout


def build_oscar(home: Path) -> None:
    """Make (once) the venv, the project, its migrated SQLite database and products."""
    if (home / "paths.json").exists():
        return
    python = shutil.which("python3.11")
    if not python:
        raise RuntimeError("Oscar build: python3.11 is not on the PATH")
    shutil.rmtree(home, ignore_errors=True)
    project = home / "project"
    (project / "shop").mkdir(parents=True)
    run([python, "-m", "venv", str(home / "venv")], home, "python3.11 -m venv")
    pip = str(home / "venv" / "bin" / "pip")
    run([pip, "install", "-q", "django-oscar[sorl-thumbnail]==4.*", "gunicorn"], home,
        "pip install")
    (project / "shop" / "__init__.py").write_text("")
    (project / "shop" / "settings.py").write_text(SETTINGS)
    (project / "shop" / "urls.py").write_text(URLS)
    (project / "shop" / "wsgi.py").write_text(WSGI)
    (project / "manage.py").write_text(
        "import os, sys\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shop.settings')\n"
        "from django.core.management import execute_from_command_line\n"
        "execute_from_command_line(sys.argv)\n")
    venv_python = str(home / "venv" / "bin" / "python")
    run([venv_python, "manage.py", "migrate", "--noinput"], project, "migrate")
    out = run([venv_python, "manage.py", "shell", "-c", LOAD], project, "loading products")
    paths = json.loads(out.split("BENCH ", 1)[1].splitlines()[0])
    (home / "paths.json").write_text(json.dumps(paths) + "\n")


def oscar_paths(home: Path) -> dict[str, str]:
    """The pages to measure, by kind (product, category, search, basket)."""
    return json.loads((home / "paths.json").read_text())
