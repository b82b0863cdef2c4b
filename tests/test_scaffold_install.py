"""``haat plugin new`` to an installed, tested plugin, as an author and an operator do it.

The scaffold is made by the real ``haat`` command, installed non-editable (a wheel
built by pip, as ``pip install haat-<name>`` would) into a throwaway virtual environment
that sees this project's installed packages, and its own tests run there with its
Python. Everything works offline: pip builds with the setuptools and wheel of the test
extras (``--no-build-isolation --no-index``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.testing import DATABASE_ENV

#: Seconds any one step may take before the test gives up (a hung pip, a locked database).
STEP_TIMEOUT = 300


def _run(args: list[str], *, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=STEP_TIMEOUT, check=False)


def _child_database(url: str) -> str | None:
    """The scaffold's own test database: never the one this session's fixtures use
    (its tables are dropped and rebuilt). PostgreSQL gets a database of its own;
    ``None`` lets the scaffold use a temporary SQLite file."""
    if not url.startswith(("postgres://", "postgresql")):
        return None
    target = sa.engine.make_url(url)
    return target.set(database=f"{target.database}_scaffold").render_as_string(
        hide_password=False)


@pytest.fixture(scope="module")
def child(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """A virtual environment without pip of its own whose site-packages also reads this
    project's (a ``.pth`` file adds them after its own)."""
    root = tmp_path_factory.mktemp("scaffold")
    venv = root / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=root,
                env=dict(os.environ))
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    own = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
               cwd=root, env=dict(os.environ)).stdout.strip()
    parent = sysconfig.get_paths()["purelib"]
    # addsitedir (not a bare path) also runs the parent's .pth files: Haat's own editable
    # install is one.
    (Path(own) / "haat-parent.pth").write_text(f"import site; site.addsitedir({parent!r})\n")
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTEST_", "VIRTUAL_ENV")) and key != DATABASE_ENV}
    env.update(HAAT_INSTANCE_DIR=str(root / "instance"), PIP_DISABLE_PIP_VERSION_CHECK="1",
               PIP_NO_INPUT="1", PYTHONDONTWRITEBYTECODE="1")
    database = _child_database(os.environ.get(DATABASE_ENV, ""))
    if database:
        env[DATABASE_ENV] = database
    return {"root": root, "python": python, "site": Path(own), "env": env}


@pytest.fixture
def scaffold(child: dict[str, object], tmp_path: Path) -> Callable[[str], Path]:
    """``scaffold("recent-buys")``: ``haat plugin new`` through the installed command."""
    haat = shutil.which("haat", path=str(Path(sys.executable).parent))
    assert haat, "the haat command is not installed next to this Python"

    def make(name: str) -> Path:
        made = _run([haat, "plugin", "new", name, "--dir", str(tmp_path)], cwd=tmp_path,
                    env=child["env"])  # type: ignore[arg-type]
        assert made.returncode == 0, made.stdout + made.stderr
        assert made.stderr == ""  # quiet: no log lines
        return tmp_path / f"haat-{name}"

    return make


def _install(child: dict[str, object], package: Path) -> None:
    installed = _run([str(child["python"]), "-m", "pip", "install", "--no-deps",
                      "--no-build-isolation", "--no-index", str(package)],
                     cwd=package.parent, env=child["env"])  # type: ignore[arg-type]
    assert installed.returncode == 0, installed.stdout + installed.stderr


def _pytest(child: dict[str, object], package: Path, *args: str) -> subprocess.CompletedProcess:
    # -P: the installed copy is imported, not the source folder (the current directory).
    return _run([str(child["python"]), "-P", "-m", "pytest", "-p", "no:cacheprovider",
                 "-rA", *args], cwd=package, env=child["env"])  # type: ignore[arg-type]


def test_the_scaffold_installs_non_editable_and_its_tests_pass(child, scaffold):
    package = scaffold("recent-buys")
    _install(child, package)

    where = _run([str(child["python"]), "-P", "-c",
                  "import haat_recent_buys; print(haat_recent_buys.__file__)"],
                 cwd=package, env=child["env"])  # type: ignore[arg-type]
    assert Path(where.stdout.strip()).is_relative_to(child["site"]), where.stdout + where.stderr

    result = _pytest(child, package)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    passed = re.search(r"(\d+) passed", output)
    assert passed and int(passed.group(1)) >= 10, output
    assert not re.search(r"\d+ (failed|skipped|errors?)\b", output), output
    # The packaging test ran against the installed copy (it skips under -e installs).
    assert "PASSED tests/test_packaging.py::test_the_installed_copy_is_the_one_tested" in output
    for test in ("test_the_page_lists_what_was_bought_in_the_stores_theme",
                 "test_stores_see_only_their_own_purchases",
                 "test_the_page_speaks_the_shoppers_language"):
        assert f"PASSED tests/test_plugin.py::{test}" in output


def test_the_packaging_test_catches_a_file_left_out(child, scaffold):
    """Take the stylesheet out of the package data: the installed copy lacks it, and the
    scaffold's own packaging test says which file and where to list it."""
    package = scaffold("leaky-pack")
    setup = package / "setup.cfg"
    setup.write_text(setup.read_text().replace("    static/*.css\n", ""))
    manifest = package / "MANIFEST.in"
    manifest.write_text(manifest.read_text().replace("graft haat_leaky_pack/static\n", ""))
    _install(child, package)

    result = _pytest(child, package, "tests/test_packaging.py")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "static/haat_leaky_pack.css is missing from the installed haat_leaky_pack" in output
    assert "[options.package_data]" in output
    assert re.search(r"\b2 failed\b", output), output  # the file check, and the record check
