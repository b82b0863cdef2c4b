"""``haat`` commands print their own output and nothing else unless asked: no log line
per plugin loaded. Warnings and errors stay visible; ``HAAT_LOG_LEVEL`` asks for more.

Run through the installed ``haat`` command, in a process of its own, as a person would.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

#: The shape of a line from Haat's log handler: "<date> <time> LEVEL [logger] ...".
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ \[", re.M)


@pytest.fixture
def haat(tmp_path):
    """``haat("plugin", "list", HAAT_LOG_LEVEL="DEBUG")`` -> the finished process."""
    command = shutil.which("haat", path=str(Path(sys.executable).parent))
    assert command, "the haat command is not installed next to this Python"

    def run(*args: str, **env: str) -> subprocess.CompletedProcess:
        environment = {key: value for key, value in os.environ.items()
                       if not key.startswith("HAAT_") and key != "DATABASE_URL"}
        environment.update(HAAT_INSTANCE_DIR=str(tmp_path / "instance"),
                           DATABASE_URL=f"sqlite:///{tmp_path / 'haat.db'}", **env)
        return subprocess.run([command, *args], env=environment, capture_output=True,  # noqa: S603
                              text=True, timeout=120, check=False)

    return run


def test_plugin_list_prints_the_list_and_no_log_lines(haat):
    listed = haat("plugin", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("name ")
    assert re.search(r"^seo +0\.1\.0 +haat$", listed.stdout, re.M)
    assert listed.stderr == ""
    assert not LOG_LINE.search(listed.stdout)
    assert "loaded from" not in listed.stdout + listed.stderr


def test_haat_log_level_debug_shows_each_plugin_loading(haat):
    listed = haat("plugin", "list", HAAT_LOG_LEVEL="debug")
    assert listed.returncode == 0, listed.stderr
    assert re.search(r"^\S+ \S+ DEBUG \[haat\.plugins\] store=- plugin seo 0\.1\.0 loaded "
                     r"from haat$", listed.stderr, re.M)
    assert not LOG_LINE.search(listed.stdout)  # the list itself stays clean


def test_a_plugin_left_out_is_still_reported(haat, tmp_path):
    """An installed distribution whose entry point cannot be imported: the error line
    shows at the default level, and the list says it was left out."""
    dist = tmp_path / "site" / "haat_broken_thing-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: haat-broken-thing\n"
                                   "Version: 0.1\n")
    (dist / "entry_points.txt").write_text("[haat.plugins]\n"
                                           "broken-thing = haat_no_such_module.plugin\n")
    listed = haat("plugin", "list", PYTHONPATH=str(tmp_path / "site"))
    assert listed.returncode == 0, listed.stderr
    assert re.search(r"ERROR \[haat\.plugins\] store=- plugin broken-thing from "
                     r"haat-broken-thing left out: failed to import", listed.stderr)
    assert "1 plugin(s) left out:" in listed.stdout
    assert "DEBUG" not in listed.stderr and " INFO " not in listed.stderr


def test_an_unknown_log_level_is_refused_with_the_choices(haat):
    listed = haat("plugin", "list", HAAT_LOG_LEVEL="loud")
    assert listed.returncode != 0
    assert ("HAAT_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL; "
            "got 'loud'") in listed.stderr
