"""Docs drift is a test failure: every hookspec is documented with its exact signature
in docs/hooks.md, nothing documented there is gone, and every hookspec has a test.

The test convention: a hook ``haat_<name>`` is covered by a test function named
``test_hook_<name>`` somewhere under ``tests/``.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from core import sdk
from core.pluginhost import hookspecs

ROOT = Path(__file__).resolve().parent.parent
HOOKS_MD = ROOT / "docs" / "hooks.md"
PLUGINS_MD = ROOT / "docs" / "plugins.md"
HEADING = re.compile(r"^### `(haat_\w+)(.*)`[ \t]*$", re.MULTILINE)
HOOK_TEST = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+test_hook_(\w+)[ \t]*\(", re.MULTILINE)


def _hookspecs() -> dict[str, object]:
    """Every function in hookspecs.py that carries pluggy's ``haat`` spec marker."""
    return {name: fn for name, fn in vars(hookspecs).items()
            if inspect.isfunction(fn) and hasattr(fn, "haat_spec")}


def _heading(name: str) -> str:
    return f"### `{name}{inspect.signature(_hookspecs()[name])}`"


def _documented() -> list[tuple[str, str]]:
    return HEADING.findall(HOOKS_MD.read_text(encoding="utf-8"))


def test_hookspecs_are_found():
    specs = _hookspecs()
    assert "haat_slot" in specs
    assert len(specs) >= 20
    unmarked = [name for name, fn in vars(hookspecs).items()
                if name.startswith("haat_") and inspect.isfunction(fn) and name not in specs]
    assert unmarked == [], f"functions in hookspecs.py without @hookspec: {unmarked}"


def test_every_hookspec_is_documented_with_its_exact_signature():
    text = HOOKS_MD.read_text(encoding="utf-8")
    headings = set(text.splitlines())
    documented = dict(_documented())
    missing = [name for name in _hookspecs() if name not in documented]
    differing = [name for name in _hookspecs()
                 if name in documented and _heading(name) not in headings]
    problems = [f"missing from docs/hooks.md: {_heading(n)}" for n in missing]
    problems += [f"signature differs in docs/hooks.md; expected: {_heading(n)}"
                 for n in differing]
    assert not problems, "\n".join(problems)


def test_docs_document_no_hook_that_no_longer_exists():
    gone = sorted({name for name, _ in _documented()} - _hookspecs().keys())
    assert gone == [], f"docs/hooks.md documents hooks that do not exist: {gone}"


def test_each_hook_is_documented_once():
    names = [name for name, _ in _documented()]
    twice = sorted({n for n in names if names.count(n) > 1})
    assert twice == [], f"documented more than once in docs/hooks.md: {twice}"


def test_every_hookspec_has_a_test_of_its_own():
    tested: set[str] = set()
    for path in (ROOT / "tests").rglob("*.py"):
        tested.update(HOOK_TEST.findall(path.read_text(encoding="utf-8")))
    untested = [name for name in _hookspecs() if name.removeprefix("haat_") not in tested]
    assert untested == [], (
        "hookspecs without a test: add a test function named test_hook_<name> under "
        "tests/ for: " + ", ".join(f"test_hook_{n.removeprefix('haat_')}" for n in untested)
    )


def test_plugin_guide_names_every_settings_field_type_and_slot():
    text = PLUGINS_MD.read_text(encoding="utf-8")
    field_types = [name for name in sdk.__all__
                   if isinstance(getattr(sdk, name), type)
                   and issubclass(getattr(sdk, name), sdk.Field)
                   and getattr(sdk, name) is not sdk.Field]
    assert len(field_types) >= 8
    missing = [f"`{n}`" for n in field_types if f"`{n}`" not in text]
    missing += [f"`{s}`" for s in sdk.SLOT_NAMES if f"`{s}`" not in text]
    assert missing == [], f"docs/plugins.md does not mention: {', '.join(missing)}"


def test_readme_links_the_plugin_docs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "(docs/plugins.md)" in readme
    assert "(docs/hooks.md)" in readme
    assert "(hooks.md)" in PLUGINS_MD.read_text(encoding="utf-8")


def test_readme_configuration_table_names_every_environment_variable():
    """A setting read from the environment but missing from the README's table is a
    setting nobody can find."""
    config = (ROOT / "core" / "config.py").read_text()
    names = set(re.findall(r'(?:environ\.get|_env_int)\(\s*"([A-Z_0-9]+)"', config))
    assert {"HAAT_REMEMBER_DAYS", "HAAT_IMPORT_MAX_BYTES", "HAAT_DNS_A_RECORD"} <= names
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    assert sorted(n for n in names if f"`{n}`" not in table) == []
