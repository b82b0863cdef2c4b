#!/usr/bin/env bash
# The time from `haat plugin new` to an installed, migrated and tested plugin with a table
# of its own, as an author following docs/plugins.md would go: scaffold, a non-editable
# `pip install .`, `haat db upgrade`, then the package's own tests on the installed copy.
#
#   bash bench/plugin_new_to_tested.sh          (after `make install`)
#
# The plugin goes into a throwaway virtual environment that sees this project's .venv
# (a .pth file), so the project's own environment is left as it was.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
site=$("$root/.venv/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
work=$(mktemp -d /tmp/haat-plugin-new.XXXX)
trap 'rm -rf "$work"' EXIT
python3.11 -m venv --without-pip "$work/venv"
child_site=$("$work/venv/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
echo "import site; site.addsitedir('$site')" > "$child_site/haat-parent.pth"
export HAAT_INSTANCE_DIR="$work/instance" DATABASE_URL="sqlite:///$work/haat.db"
export PIP_DISABLE_PIP_VERSION_CHECK=1
haat() { "$work/venv/bin/python" -c 'from core.cli import main; main()' "$@"; }
now() { date +%s.%N; }

start=$(now)
haat plugin new my-badges --dir "$work" > /dev/null
scaffolded=$(now)
"$work/venv/bin/python" -m pip install -q --no-deps --no-build-isolation --no-index \
  "$work/haat-my-badges"
installed=$(now)
haat db upgrade 2> "$work/upgrade.log"
migrated=$(now)
(cd "$work/haat-my-badges" && "$work/venv/bin/python" -P -m pytest -q -p no:cacheprovider \
  | tail -1)
tested=$(now)
"$work/venv/bin/python" - "$work/haat.db" <<'PY'
import sqlite3, sys
tables = [r[0] for r in sqlite3.connect(sys.argv[1]).execute(
    "select name from sqlite_master where type='table' and name like 'my_badges%'")]
print("the plugin's tables:", ", ".join(tables) or "(none!)")
PY
python3 -c "
s, a, b, c, d = $start, $scaffolded, $installed, $migrated, $tested
print(f'haat plugin new {a - s:.2f} s, pip install . {b - a:.2f} s, haat db upgrade {c - b:.2f} s, '
      f'its tests {d - c:.2f} s: {d - s:.2f} s in all')"
