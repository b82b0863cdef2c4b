"""``docs/sdk-reference.md``: generated from ``core.sdk``, complete and up to date.

The reference is what plugin authors read to learn every type field by field, so it
must say what the code does today: these tests fail when the file is stale, when a
public name is missing from it, and when a dataclass field, a protocol attribute, a
function, a method or a constant has no documentation.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import core.sdk
from core.sdk import reference


def test_the_reference_file_is_up_to_date() -> None:
    diff = reference.stale()
    assert not diff, ("docs/sdk-reference.md is stale; run "
                      "`python -m core.sdk.reference --write`:\n" + "\n".join(diff[:80]))


def test_every_public_name_is_documented() -> None:
    assert reference.problems() == []


def test_every_public_name_has_its_own_section() -> None:
    text = reference.DEFAULT_FILE.read_text(encoding="utf-8")
    assert [name for name in core.sdk.__all__ if f"\n### `{name}`\n" not in text] == []
    assert text.count("\n### `") == len(core.sdk.__all__)


def test_fields_are_shown_with_type_default_and_meaning() -> None:
    text = reference.render()
    assert ("| `weight_grams` | `int` | `0` | The weight of **one** item in grams, not of "
            "the whole line") in text
    assert "| `discount` | `Money \\| None` | `None` | The coupon's reduction" in text
    assert "| `cart` | `CartSnapshot` | *required* |" in text
    assert "Takes every field of [`Field`](#field), and:" in text  # BoolField's base
    assert "- `checked(raw: Any) -> bool`" in text
    assert "SCHEDULE_PRESETS: tuple[str, ...] = (\"hourly\", \"daily\")" in text


def test_the_output_does_not_depend_on_the_process() -> None:
    runs = set()
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-m", "core.sdk.reference"], capture_output=True, text=True,
            check=True, env={**os.environ, "PYTHONHASHSEED": seed})
        runs.add(done.stdout)
    assert runs == {reference.render()}
    assert " at 0x" not in reference.render()


def test_check_and_write_through_the_command(tmp_path, capsys) -> None:
    target = tmp_path / "sdk-reference.md"
    target.write_text("# SDK reference\n\nOld text.\n", encoding="utf-8")
    assert reference.main(["--check", "--file", str(target)]) == 1
    assert "is stale" in capsys.readouterr().out
    assert reference.main(["--write", "--file", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == reference.render()
    assert reference.main(["--check", "--file", str(target)]) == 0
    assert "is up to date" in capsys.readouterr().out


PROBE = '''
"""A module with documented and undocumented names."""

from dataclasses import dataclass
from typing import Protocol

#: A documented limit.
LIMIT = 3
OTHER = 4


@dataclass(frozen=True)
class Probe:
    """A probe."""

    #: Documented.
    good: int
    bad: str = ""
    also_good: str = ""  #: Documented on its line.

    def method(self) -> None:
        pass

    def fine(self) -> None:
        """Documented."""


class Gateway(Protocol):
    """A protocol."""

    #: Documented.
    id: str
    label: str

    def start(self) -> None: ...


def undocumented_function() -> None:
    pass
'''


@pytest.fixture
def probe(tmp_path, monkeypatch):
    (tmp_path / "ref_probe.py").write_text(textwrap.dedent(PROBE), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(reference, "OWN_PACKAGES", reference.OWN_PACKAGES | {"ref_probe"})
    import ref_probe

    yield ref_probe
    sys.modules.pop("ref_probe", None)
    reference.source_of.cache_clear()


def test_undocumented_parts_are_found(probe) -> None:
    found = []
    for name in ("LIMIT", "OTHER", "Probe", "Gateway", "undocumented_function"):
        found += reference.undocumented(
            reference._resolve(name, "ref_probe", getattr(probe, name)))
    assert found == ["OTHER: no #: comment", "Probe.bad: no #: comment",
                     "Probe.method: no docstring", "Gateway.label: no #: comment",
                     "Gateway.start: no docstring", "undocumented_function: no docstring"]


def test_docs_become_markdown() -> None:
    names = frozenset({"run_later", "StoreInfo"})
    assert reference._md(":func:`core.sdk.run_later` and :class:`~core.sdk.StoreInfo`",
                         names) == "[`run_later`](#run_later) and [`StoreInfo`](#storeinfo)"
    assert reference._md("``/orders/<token>`` is <private>", names) == (
        "`/orders/<token>` is &lt;private&gt;")
    assert reference._md("Like this::\n\n    x = 1\n\nThen more.", names) == (
        "Like this:\n\n```python\nx = 1\n```\n\nThen more.")
