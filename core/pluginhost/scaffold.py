"""``haat plugin new``: the files of a new, pip-installable plugin package.

``create_plugin_package("my-badges", Path("."))`` writes ``haat-my-badges/``: packaging
that ships the package data (``setup.cfg`` package data plus ``MANIFEST.in``), a plugin
with a page in the store's theme (a template and a stylesheet), its own table with the
first revision of its Alembic branch, Bengali and Armenian catalogues, tests with
Haat's pytest fixtures (one of them checks the installed package's data files) and a
README. The file texts are in ``core.pluginhost.scaffold_files``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from string import Template

from core.pluginhost.migrations import core_head, revision_prefix
from core.pluginhost.scaffold_files import FILES
from core.pluginhost.tables import table_prefix
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

    @property
    def table(self) -> str:
        """The plugin's table: ``my_badges_purchases`` (tables carry the plugin's prefix)."""
        return f"{table_prefix(self.name)}purchases"

    @property
    def revision(self) -> str:
        """The id of the branch's first revision: ``my_badges_0001``."""
        return f"{revision_prefix(self.name)}0001"

    def substitutions(self) -> dict[str, str]:
        return {"name": self.name, "title": self.title, "distribution": self.distribution,
                "module": self.module, "table": self.table, "revision": self.revision,
                "core_revision": core_head()}


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


def package_files(names: PluginNames) -> dict[str, str]:
    """Relative path -> text of every file of the package."""
    values = names.substitutions()
    return {Template(path).substitute(values): Template(text).substitute(values)
            for path, text in FILES.items()}


def create_plugin_package(name: str, directory: Path) -> Path:
    """Write the package ``<directory>/haat-<name>/`` and return its path.

    Refuses (``ScaffoldError``) an invalid name or an existing folder; never overwrites.
    """
    names = plugin_names(name)
    root = Path(directory) / names.distribution
    if root.exists():
        raise ScaffoldError(f"{root} already exists; choose another name or --dir.")
    files = package_files(names)
    root.mkdir(parents=True)
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
