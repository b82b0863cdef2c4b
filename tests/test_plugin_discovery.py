"""Plugin discovery through entry points, load problems, and the ``haat plugin`` CLI."""

from __future__ import annotations

import ast
import configparser
import types
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import pytest

from core.pluginhost.manager import ENTRY_POINT_GROUP, LoadProblem, PluginHost
from core.sdk import PageContext, PluginManifest, SlotContent, StoreInfo, hookimpl

EXAMPLE = "announcement-bar"
HOME = PageContext(kind="home", path="/", url="http://shop.localhost/")


def _store(settings: dict[str, dict]) -> StoreInfo:
    return StoreInfo(id=1, slug="shop", name="Shop", locale="en", currency="USD",
                     base_url="http://shop.localhost/",
                     _settings_loader=lambda name: settings.get(name, {}))


def _plugin(module_name: str, **attributes: object) -> types.ModuleType:
    """A plugin object made in the test: a module (hashable, like a real plugin)."""
    module = types.ModuleType(module_name)
    vars(module).update(attributes)
    return module


def _example_point() -> EntryPoint:
    (point,) = entry_points(group=ENTRY_POINT_GROUP, name=EXAMPLE)
    return point


def _slot_texts(host: PluginHost, enabled: set[str], settings: dict[str, dict],
                name: str = "header") -> list[str]:
    results = host.hooks_for(frozenset(enabled)).haat_slot(
        store=_store(settings), name=name, page=HOME)
    return [item.text for item in results]


# ------------------------------------------------------------------------ discovery


def test_the_example_plugin_is_discovered_with_its_distribution_and_version(app):
    installed = app.extensions["haat_plugins"].installed[EXAMPLE]
    assert installed.distribution == "haat-announcement-bar"
    assert installed.version == "0.1.0"
    assert installed.manifest.name == EXAMPLE
    assert installed.module.__name__ == "haat_announcement_bar.plugin"

    fresh = PluginHost()
    fresh.discover()
    assert fresh.installed[EXAMPLE].distribution == "haat-announcement-bar"
    assert not [p for p in fresh.problems if p.entry_point == EXAMPLE]


def test_a_broken_entry_point_is_reported_and_the_host_still_works():
    broken = EntryPoint(name="broken", value="no_such_module_xyz:plugin", group=ENTRY_POINT_GROUP)
    host = PluginHost()
    host.discover([broken, _example_point()])

    assert [p.entry_point for p in host.problems] == ["broken"]
    assert "failed to import" in host.problems[0].error
    assert "no_such_module_xyz" in host.problems[0].error
    assert "broken" not in host.installed
    assert EXAMPLE in host.installed
    settings = {EXAMPLE: {"message": "Still here", "show_on": ["home"], "tone": "info"}}
    assert _slot_texts(host, {EXAMPLE}, settings) == ["Still here"]


def test_a_plugin_with_an_invalid_manifest_is_reported_and_not_registered():
    bad = _plugin(
        "bad_plugin",
        manifest=PluginManifest(name="Bad_Name", title="Bad"),
        haat_slot=hookimpl(lambda store, name, page: SlotContent(text="bad")),
    )
    host = PluginHost()
    assert host.register(bad) is None
    assert not host.installed
    assert not host.pm.is_registered(bad)
    (problem,) = host.problems
    assert problem.entry_point == "Bad_Name"
    assert "invalid manifest" in problem.error
    assert "lowercase words joined by hyphens" in problem.error


def test_a_plugin_without_a_manifest_is_reported():
    host = PluginHost()
    assert host.register(_plugin("no_manifest")) is None
    assert "manifest" in host.problems[0].error


def test_a_plugin_implementing_an_unknown_hook_is_reported_and_not_registered():
    @hookimpl
    def haat_no_such_hook(store):
        return "never"

    stray = _plugin(
        "stray_plugin",
        manifest=PluginManifest(name="stray-hook", title="Stray"),
        haat_no_such_hook=haat_no_such_hook,
    )
    host = PluginHost()
    host.discover([_example_point()])
    assert host.register(stray, distribution="haat-stray") is None

    assert "stray-hook" not in host.installed
    assert not host.pm.is_registered(stray)
    assert host.pm.get_plugin("stray-hook") is None
    (problem,) = host.problems
    assert (problem.entry_point, problem.distribution) == ("stray-hook", "haat-stray")
    assert "haat_no_such_hook" in problem.error
    # The host (and pluggy's pending-hook check) still works for everyone else.
    host.pm.check_pending()
    settings = {EXAMPLE: {"message": "Hi", "show_on": ["home"], "tone": "info"}}
    assert _slot_texts(host, {EXAMPLE}, settings) == ["Hi"]


def test_the_entry_point_name_must_equal_the_manifest_name():
    renamed = EntryPoint(name="announcement", value="haat_announcement_bar.plugin",
                         group=ENTRY_POINT_GROUP)
    host = PluginHost()
    host.discover([renamed])
    assert not host.installed
    (problem,) = host.problems
    assert problem.entry_point == "announcement"
    assert "differs from manifest name" in problem.error


def test_two_plugins_cannot_share_a_name():
    host = PluginHost()
    host.discover([_example_point()])
    twin = _plugin("twin", manifest=PluginManifest(name=EXAMPLE, title="Twin"))
    assert host.register(twin) is None
    assert "already uses this name" in host.problems[0].error
    assert host.installed[EXAMPLE].distribution == "haat-announcement-bar"


# ------------------------------------------------------------------------ haat plugin list


def test_plugin_list_prints_installed_plugins_and_problems(app, monkeypatch):
    host = app.extensions["haat_plugins"]
    monkeypatch.setattr(host, "problems", [
        *host.problems,
        LoadProblem("broken", "haat-broken", "failed to import: ModuleNotFoundError('x')"),
    ])
    result = app.test_cli_runner().invoke(args=["plugin", "list"])
    assert result.exit_code == 0, result.output
    line = next(row for row in result.output.splitlines() if row.startswith(EXAMPLE))
    assert line.split() == [EXAMPLE, "0.1.0", "haat-announcement-bar"]
    assert "left out" in result.output
    assert "broken (haat-broken): failed to import: ModuleNotFoundError('x')" in result.output


def test_plugin_list_without_plugins(app, monkeypatch):
    host = app.extensions["haat_plugins"]
    monkeypatch.setattr(host, "installed", {})
    monkeypatch.setattr(host, "problems", [])
    result = app.test_cli_runner().invoke(args=["plugin", "list"])
    assert result.exit_code == 0
    assert "No plugins installed." in result.output
    assert "left out" not in result.output


# ------------------------------------------------------------------------ haat plugin new


def _new(app, *args: str):
    return app.test_cli_runner().invoke(args=["plugin", "new", *args])


def test_plugin_new_creates_an_installable_package(app, tmp_path):
    result = _new(app, "demo-badges", "--dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    root = tmp_path / "haat-demo-badges"
    assert str(root) in result.output
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) == [
        "MANIFEST.in",
        "README.md",
        "haat_demo_badges/__init__.py",
        "haat_demo_badges/migrations/__init__.py",
        "haat_demo_badges/migrations/demo_badges_0001_purchases.py",
        "haat_demo_badges/models.py",
        "haat_demo_badges/plugin.py",
        "haat_demo_badges/static/haat_demo_badges.css",
        "haat_demo_badges/templates/haat_demo_badges/recent.html",
        "haat_demo_badges/text.py",
        "haat_demo_badges/translations/bn/LC_MESSAGES/messages.po",
        "haat_demo_badges/translations/hy/LC_MESSAGES/messages.po",
        "haat_demo_badges/views.py",
        "pyproject.toml",
        "setup.cfg",
        "tests/test_packaging.py",
        "tests/test_plugin.py",
    ]

    setup = configparser.ConfigParser()
    setup.read(root / "setup.cfg")
    assert setup["metadata"]["name"] == "haat-demo-badges"
    assert setup["metadata"]["version"] == "0.1.0"
    assert setup["options"]["install_requires"].split() == ["haat"]
    points = setup["options.entry_points"]["haat.plugins"].strip()
    assert points == "demo-badges = haat_demo_badges.plugin"
    assert 'build-backend = "setuptools.build_meta"' in (root / "pyproject.toml").read_text()

    test_source = (root / "tests" / "test_plugin.py").read_text()
    compile(test_source, "test_plugin.py", "exec")
    for fixture in ("haat_store", "haat_enable_plugin", "haat_client"):
        assert fixture in test_source
    assert "pip install -e ." in (root / "README.md").read_text()


def test_the_generated_plugin_imports_only_the_sdk(app, tmp_path):
    """Its behaviour is tested by its own tests once installed (test_scaffold_install.py);
    here: every module compiles and imports only core.sdk, libraries and itself."""
    assert _new(app, "demo-badges", "--dir", str(tmp_path)).exit_code == 0
    package = tmp_path / "haat-demo-badges" / "haat_demo_badges"
    allowed = {"__future__", "datetime", "flask", "sqlalchemy", "alembic", "core"}
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed | {"haat_demo_badges"}, (path, name)
                assert not name.startswith("core.") or name == "core.sdk", (path, name)


def test_plugin_new_refuses_to_overwrite(app, tmp_path):
    assert _new(app, "demo-badges", "--dir", str(tmp_path)).exit_code == 0
    plugin = tmp_path / "haat-demo-badges" / "haat_demo_badges" / "plugin.py"
    plugin.write_text("# my work\n")

    again = _new(app, "demo-badges", "--dir", str(tmp_path))
    assert again.exit_code == 2
    assert "already exists" in again.output
    assert plugin.read_text() == "# my work\n"


@pytest.mark.parametrize("name", ["Demo-Badges", "demo_badges", "demo--badges", "-demo",
                                  "demo-", "2-demo", "démo", "demo badges"])
def test_plugin_new_refuses_a_bad_name(app, tmp_path, name):
    result = _new(app, "--dir", str(tmp_path), "--", name)
    assert result.exit_code == 2
    assert "Invalid plugin name" in result.output
    assert list(tmp_path.iterdir()) == []


def test_plugin_new_defaults_to_the_current_folder(app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _new(app, "footer-note").exit_code == 0
    assert (Path(tmp_path) / "haat-footer-note" / "haat_footer_note" / "plugin.py").is_file()


# ------------------------------------------------------------------------ the pytest kit


@hookimpl
def _footer_slot(store, name, page):
    if name == "footer":
        return SlotContent(text=store.plugin_settings("kit-check")["note"])
    return None


def test_the_pytest_fixtures_run_an_in_test_plugin_for_one_store(
        haat_app, haat_register_plugin, haat_store, haat_enable_plugin, haat_client):
    from core.sdk import TextField

    plugin = _plugin("kit_check", manifest=PluginManifest(
        name="kit-check", title="Kit check", settings=(TextField("note", "Note"),)),
        haat_slot=_footer_slot)
    installed = haat_register_plugin(plugin)
    assert installed.distribution == "(test)"
    assert "kit-check" in haat_app.extensions["haat_plugins"].installed

    shop = haat_store("kit-shop", locale="hy", currency="AMD")
    other = haat_store("kit-other")
    assert (shop.slug, shop.locale, shop.currency) == ("kit-shop", "hy", "AMD")
    settings = haat_enable_plugin(shop, "kit-check", settings={"note": "Բարև <b>"})
    assert settings == {"note": "Բարև <b>"}

    page = haat_client(shop).get("/")
    assert page.request.host == "kit-shop.localhost"
    assert "Բարև &lt;b&gt;" in page.get_data(as_text=True)
    assert "Բարև" not in haat_client(other).get("/").get_data(as_text=True)
    assert haat_client().get("/").request.host == "localhost"


def test_the_pytest_fixtures_report_refused_plugins_and_bad_settings(
        haat_app, haat_register_plugin, haat_store, haat_enable_plugin):
    host = haat_app.extensions["haat_plugins"]
    problems = list(host.problems)
    with pytest.raises(AssertionError, match="lowercase words joined by hyphens"):
        haat_register_plugin(_plugin("bad", manifest=PluginManifest(name="Bad", title="B")))
    assert host.problems == problems
    assert "kit-check" not in host.installed  # the previous test's plugin is gone

    shop = haat_store("kit-shop")
    with pytest.raises(AssertionError, match="'no-such-plugin' is not installed"):
        haat_enable_plugin(shop, "no-such-plugin")
    with pytest.raises(AssertionError, match=r"message: Message is required"):
        haat_enable_plugin(shop, EXAMPLE, settings={"link": "https://example.com"})
