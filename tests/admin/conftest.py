"""Two BDT stores with the in-test courier and ways to pay (see ``admin_support``)."""

from __future__ import annotations

import pytest

from admin_support import make_gateways, open_shops


@pytest.fixture
def gateways():
    return make_gateways()


@pytest.fixture
def shops(app, make_store, add_product, install_plugin, enable_plugin, gateways):
    return open_shops(app, make_store, add_product, install_plugin, enable_plugin, gateways)
