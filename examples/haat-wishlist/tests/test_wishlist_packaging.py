"""The package carries every file the plugin reads at run time, installed or built.

An editable install (``pip install -e``, what ``make install`` does) reads the files
from the source folder, so a file missing from setup.cfg's ``package_data`` or from
``MANIFEST.in`` would go unnoticed until an operator runs ``pip install haat-wishlist``.
So these tests also build the wheel and the source distribution, as a release would,
and look inside them. To test an installed copy itself::

    pip install examples/haat-wishlist     # not -e
    python -P -m pytest examples/haat-wishlist/tests
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from importlib.metadata import distribution
from importlib.resources import files
from pathlib import Path

import haat_wishlist
import pytest

PACKAGE = "haat_wishlist"
SOURCE = Path(__file__).resolve().parents[1]
DATA_FILES = (
    "templates/haat_wishlist/wishlist.html",
    "static/wishlist.css",
    "migrations/__init__.py",
    "migrations/wishlist_0001_saved_items.py",
    "translations/bn/LC_MESSAGES/messages.po",
    "translations/hy/LC_MESSAGES/messages.po",
)
#: The folders whose every file must ship.
DATA_FOLDERS = ("templates", "static", "translations", "migrations")


def _source_data_files() -> set[str]:
    """Every file of the data folders in the source tree (caches left out)."""
    root = SOURCE / PACKAGE
    return {path.relative_to(root).as_posix()
            for folder in DATA_FOLDERS for path in (root / folder).rglob("*")
            if path.is_file() and "__pycache__" not in path.parts}


@pytest.mark.parametrize("path", DATA_FILES)
def test_the_importable_package_holds(path):
    found = files(PACKAGE).joinpath(path)
    assert found.is_file(), (
        f"{path} is missing from the installed {PACKAGE}: list it in setup.cfg "
        "[options.package_data] and in MANIFEST.in")


def test_the_list_above_is_every_data_file():
    assert _source_data_files() == set(DATA_FILES)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """The file names inside the wheel and the sdist, built from a clean copy of the
    source (offline: the setuptools and wheel Haat's test extras installed)."""
    root = tmp_path_factory.mktemp("wishlist-build")
    copy = root / "haat-wishlist"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns(
        "*.egg-info", "__pycache__", "build", "dist", ".pytest_cache"))
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1"}
    wheel = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--wheel-dir", str(root / "dist"), str(copy)],
        cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert wheel.returncode == 0, wheel.stdout + wheel.stderr
    sdist = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import sys; from setuptools import build_meta as b; "
         "print(b.build_sdist(sys.argv[1]))", str(root / "dist")],
        cwd=copy, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert sdist.returncode == 0, sdist.stdout + sdist.stderr
    (wheel_file,) = (root / "dist").glob("haat_wishlist-*.whl")
    (sdist_file,) = (root / "dist").glob("haat_wishlist-*.tar.gz")
    with zipfile.ZipFile(wheel_file) as archive:
        in_wheel = set(archive.namelist())
    with tarfile.open(sdist_file) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    return {"wheel": in_wheel, "sdist": in_sdist}


def test_the_wheel_carries_every_data_file(built):
    """What a non-editable ``pip install`` puts in site-packages."""
    missing = sorted(f"{PACKAGE}/{path}" for path in _source_data_files()
                     if f"{PACKAGE}/{path}" not in built["wheel"])
    assert missing == [], f"not in the wheel (add to setup.cfg package_data): {missing}"
    entry_points = next(name for name in built["wheel"] if name.endswith("entry_points.txt"))
    assert entry_points.startswith("haat_wishlist-0.1.0.dist-info/")


def test_the_sdist_carries_every_data_file_and_the_tests(built):
    missing = sorted(f"{PACKAGE}/{path}" for path in _source_data_files()
                     if f"{PACKAGE}/{path}" not in built["sdist"])
    assert missing == [], f"not in the sdist (add to MANIFEST.in): {missing}"
    assert {"README.md", "setup.cfg", "pyproject.toml", "MANIFEST.in",
            "tests/test_wishlist_pages.py"} <= built["sdist"]


def test_the_installed_copy_is_the_one_tested():
    tested = Path(haat_wishlist.__file__).resolve().parent
    if tested == SOURCE / PACKAGE:
        pytest.skip("testing the source folder (an editable install): the wheel tests "
                    "above check what a non-editable install gets")
    recorded = {str(f) for f in distribution("haat-wishlist").files or ()}
    for path in DATA_FILES:
        assert f"{PACKAGE}/{path}" in recorded, f"{path} was not installed with the package"
