"""``haat plugin new``: the files of a new, pip-installable plugin package.

``create_plugin_package("my-badges", Path("."))`` writes ``haat-my-badges/`` with a
``pyproject.toml`` + ``setup.cfg`` (entry point ``haat.plugins``), the plugin module,
a test that uses Haat's pytest fixtures (``core.testing``) and a README.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from string import Template

from core.sdk import PluginManifest

__all__ = ["PluginNames", "ScaffoldError", "create_plugin_package", "plugin_names"]


class ScaffoldError(ValueError):
    """The plugin cannot be created (bad name, or its folder already exists)."""


@dataclass(frozen=True)
class PluginNames:
    """Every name derived from a plugin name such as ``my-badges``."""

    name: str  # my-badges: manifest name and entry-point name
    title: str  # My badges
    distribution: str  # haat-my-badges: the pip package and its folder
    module: str  # haat_my_badges: the import package

    def substitutions(self) -> dict[str, str]:
        return {"name": self.name, "title": self.title,
                "distribution": self.distribution, "module": self.module}


def plugin_names(name: str) -> PluginNames:
    """Derive the package names, or raise ``ScaffoldError`` for an invalid plugin name.

    The rule is the manifest's: lowercase words (letters and digits, starting with a
    letter) joined by single hyphens, e.g. ``my-badges``.
    """
    problems = PluginManifest(name=name, title="check").problems()
    if problems:
        raise ScaffoldError(
            f"Invalid plugin name {name!r}: use lowercase words joined by hyphens, "
            "starting with a letter (for example my-badges)."
        )
    return PluginNames(
        name=name,
        title=name.replace("-", " ").capitalize(),
        distribution=f"haat-{name}",
        module="haat_" + name.replace("-", "_"),
    )


def create_plugin_package(name: str, directory: Path) -> Path:
    """Write the package ``<directory>/haat-<name>/`` and return its path.

    Refuses (``ScaffoldError``) an invalid name or an existing folder; never overwrites.
    """
    names = plugin_names(name)
    root = Path(directory) / names.distribution
    if root.exists():
        raise ScaffoldError(f"{root} already exists; choose another name or --dir.")
    values = names.substitutions()
    files = {
        "pyproject.toml": PYPROJECT,
        "setup.cfg": SETUP_CFG,
        "README.md": README,
        f"{names.module}/__init__.py": INIT,
        f"{names.module}/plugin.py": PLUGIN,
        "tests/test_plugin.py": TEST,
    }
    root.mkdir(parents=True)
    for relative, template in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template(template).substitute(values), encoding="utf-8")
    return root


# ----------------------------------------------------------------------- templates
# string.Template: ``$name``, ``$title``, ``$distribution`` and ``$module`` are filled in.

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
packages = find:
install_requires =
    haat

[options.packages.find]
include =
    $module
    $module.*

[options.entry_points]
haat.plugins =
    $name = $module.plugin
"""

INIT = '''\
"""$title: a Haat plugin (see plugin.py)."""
'''

PLUGIN = '''\
"""$title: a Haat plugin.

Haat finds this module through the ``haat.plugins`` entry point named ``$name`` (see
setup.cfg). Import only from ``core.sdk``: everything else in Haat is private.
"""

from __future__ import annotations

from core.sdk import PageContext, PluginManifest, SlotContent, StoreInfo, TextField, hookimpl

manifest = PluginManifest(
    name="$name",
    title="$title",
    description="Shows a short message in the store's footer.",
    settings=(
        TextField(
            "message",
            "Footer message",
            help="Shown at the bottom of every storefront page.",
            required=True,
            max_length=200,
        ),
    ),
)


@hookimpl
def haat_slot(store: StoreInfo, name: str, page: PageContext) -> SlotContent | None:
    """Put the merchant's message in the footer slot (core escapes the text)."""
    if name != "footer":
        return None
    message = store.plugin_settings(manifest.name).get("message")
    return SlotContent(text=message) if message else None
'''

TEST = '''\
"""Tests for $name, with Haat's pytest fixtures (haat_store, haat_client, ...)."""

from __future__ import annotations

import pytest


def test_footer_shows_the_message_only_where_enabled(haat_store, haat_enable_plugin,
                                                     haat_client):
    shop = haat_store("first-shop")
    other = haat_store("second-shop")
    haat_enable_plugin(shop, "$name", settings={"message": "Cash on delivery everywhere"})

    page = haat_client(shop).get("/")
    assert page.status_code == 200
    assert "Cash on delivery everywhere" in page.get_data(as_text=True)

    elsewhere = haat_client(other).get("/")
    assert "Cash on delivery everywhere" not in elsewhere.get_data(as_text=True)


def test_message_is_required(haat_store, haat_enable_plugin):
    shop = haat_store("first-shop")
    with pytest.raises(AssertionError, match="message"):
        haat_enable_plugin(shop, "$name", settings={"message": ""})
'''

README = """\
# $distribution

$title: a plugin for Haat, the multi-tenant store builder.
It shows a short message in the footer of every storefront page of the stores that
switch it on.

## Develop

In the virtual environment where Haat is installed:

```sh
pip install -e .
python -m pytest
```

`pip install -e .` registers the `haat.plugins` entry point `$name`. Restart Haat and
the plugin appears, switched off, in every store's plugin list (`haat plugin list` shows
it). The tests use Haat's pytest fixtures (`haat_store`, `haat_enable_plugin`,
`haat_client`, ...), which come with Haat; no `conftest.py` is needed.

## Layout

| file | what |
|---|---|
| `$module/plugin.py` | the manifest (name, title, settings) and the hook implementations |
| `setup.cfg` | package metadata and the `haat.plugins` entry point |
| `tests/test_plugin.py` | tests with Haat's fixtures |

See Haat's docs/plugins.md (the plugin author guide) and docs/hooks.md (every hook).

## Publish

```sh
python -m build            # an sdist and a wheel in dist/
python -m twine upload dist/*
```

Operators install it with `pip install $distribution` next to Haat.
"""
