"""``haat db upgrade`` on a fresh database: core alone, and core with 20 plugins that
each ship their own Alembic branch, in the same run.

    .venv/bin/python bench/db_upgrade.py [--plugins 20] [--rounds 5] [--database-url URL]

The plugins are generated into a temporary folder as installed packages (a package plus
its ``.dist-info`` with a ``haat.plugins`` entry point, found through ``PYTHONPATH``), so
Haat discovers them exactly as it discovers plugins installed with pip. Each has a model
declared through ``core.sdk.plugin_model_base`` and two revisions on its branch: the
first creates its table (store-owned, a unique rule and an index), the second adds a
column and an index.

Every round runs the real ``haat`` executable in a new process, as an operator does, and
times it from start to exit (so the figures include starting Python and the app):

* **fresh**: ``haat db upgrade`` on an empty database (every table of every branch);
* **no-op**: ``haat db upgrade`` again, with nothing left to do (what each deploy pays).

Printed: the median wall-clock and CPU seconds (user + system of the ``haat`` process)
of each, for core alone and for core + plugins, and what each plugin adds.

The default database is a new SQLite file; ``--database-url`` takes any SQLAlchemy URL
(for PostgreSQL, ``postgresql+psycopg://postgres@127.0.0.1:5432/haat_bench_upgrade``:
the database is created if missing). EVERYTHING IN THAT DATABASE IS DROPPED before each round.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from storefront_speed import ROOT, Abort, run_main

HAAT = Path(sys.executable).with_name("haat")

MODELS = '''"""{name}'s table."""

from sqlalchemy import Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.sdk import plugin_model_base


class Item(plugin_model_base("{name}")):
    __tablename__ = "{prefix}items"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),
                      Index(None, "tenant_id", "rank"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    rank: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(80), default="")
'''

FIRST = '''"""{name}: items

Revision ID: {prefix}0001
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = '{prefix}0001'
down_revision = None
branch_labels = ('{name}',)
depends_on = '0001_initial'


def upgrade():
    op.create_table('{prefix}items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'],
                            name=op.f('fk_{prefix}items_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_{prefix}items')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_{prefix}items_tenant_id_code'))
    )
    with op.batch_alter_table('{prefix}items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_{prefix}items_tenant_id'), ['tenant_id'], unique=False)


def downgrade():
    op.drop_table('{prefix}items')
'''

SECOND = '''"""{name}: label and rank index

Revision ID: {prefix}0002
Revises: {prefix}0001
"""
from alembic import op
import sqlalchemy as sa

revision = '{prefix}0002'
down_revision = '{prefix}0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('{prefix}items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('label', sa.String(length=80), server_default='',
                                      nullable=False))
        batch_op.create_index(batch_op.f('ix_{prefix}items_tenant_id_rank'), ['tenant_id', 'rank'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('{prefix}items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_{prefix}items_tenant_id_rank'))
        batch_op.drop_column('label')
'''


def write_plugins(root: Path, count: int) -> list[str]:
    """``count`` installed-looking plugins ``bench-p1`` ... under ``root``; their names."""
    names = []
    for number in range(1, count + 1):
        name, module = f"bench-p{number}", f"haat_bench_p{number}"
        prefix = name.replace("-", "_") + "_"
        package = root / module
        (package / "migrations").mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "migrations" / "__init__.py").write_text("")
        (package / "models.py").write_text(MODELS.format(name=name, prefix=prefix))
        (package / "plugin.py").write_text(
            f'"""{name}: a benchmark plugin with a table and two revisions."""\n\n'
            f"from core.sdk import PluginManifest\nfrom {module} import models  # noqa: F401\n\n"
            f"manifest = PluginManifest(name={name!r}, title={name!r},\n"
            f"                          migrations={module + '.migrations'!r})\n")
        (package / "migrations" / f"{prefix}0001_items.py").write_text(
            FIRST.format(name=name, prefix=prefix))
        (package / "migrations" / f"{prefix}0002_label.py").write_text(
            SECOND.format(name=name, prefix=prefix))
        info = root / f"{module}-0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: haat-{name}\n"
                                       "Version: 0.1\n")
        (info / "entry_points.txt").write_text(f"[haat.plugins]\n{name} = {module}.plugin\n")
        names.append(name)
    return names


def wipe(url: str) -> None:
    """Drop every table of the database (Alembic's version table included)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            meta = sa.MetaData()
            meta.reflect(conn)
            meta.drop_all(conn)
    finally:
        engine.dispose()


def timed_upgrade(env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one ``haat db upgrade`` process, start to exit.

    The CPU time (user + system of the child) moves far less than the wall time when
    other work shares the machine.
    """
    cpu_before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run([str(HAAT), "db", "upgrade"], env=env, cwd=ROOT,  # noqa: S603
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise Abort(f"haat db upgrade failed:\n{done.stdout}{done.stderr}")
    return elapsed, _children_cpu() - cpu_before


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def versions(url: str) -> set[str]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return set(conn.scalars(sa.text("SELECT version_num FROM alembic_version")))
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plugins", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url", default="",
                        help="SQLAlchemy URL (default: a new SQLite file); it is WIPED")
    args = parser.parse_args()

    from core.config import normalise_database_url
    from core.testing import ensure_postgres_database

    root = Path(tempfile.mkdtemp(prefix="haat-upgrade-bench-"))
    url = normalise_database_url(args.database_url or f"sqlite:///{root / 'bench.db'}")
    if url.startswith("postgresql"):
        ensure_postgres_database(url)
    names = write_plugins(root / "site", args.plugins)
    base = {**os.environ, "DATABASE_URL": url, "HAAT_INSTANCE_DIR": str(root / "instance"),
            "HAAT_LOG_LEVEL": "WARNING"}
    base.pop("PYTHONPATH", None)
    setups = {"core alone": base,
              f"core + {args.plugins} plugins": {**base, "PYTHONPATH": str(root / "site")}}
    runs: dict[tuple[str, str], list[tuple[float, float]]] = {
        (label, kind): [] for label in setups for kind in ("fresh", "no-op")}
    dialect = url.split(":", 1)[0]
    print(f"database: {dialect}; {args.plugins} plugins x 2 revisions each; "
          f"{args.rounds} rounds; each figure is one whole `haat db upgrade` process")
    for number in range(args.rounds):
        for label, env in setups.items():  # alternate, so drift hits both alike
            wipe(url)
            runs[label, "fresh"].append(timed_upgrade(env))
            runs[label, "no-op"].append(timed_upgrade(env))
        print(f"round {number + 1}: " + ", ".join(
            f"{label} {runs[label, 'fresh'][-1][0]:.2f} s" for label in setups))
    found = versions(url)
    expected = {f"{n.replace('-', '_')}_0002" for n in names}
    if not expected <= found:
        raise Abort(f"the plugins' heads are missing from alembic_version: {sorted(found)}")
    wipe(url)

    def median(label: str, kind: str, which: int) -> float:
        return statistics.median(run[which] for run in runs[label, kind])

    print()
    print(f"{'median seconds':<24}{'fresh wall':>12}{'fresh CPU':>11}"
          f"{'no-op wall':>12}{'no-op CPU':>11}")
    for label in setups:
        print(f"{label:<24}{median(label, 'fresh', 0):>12.2f}{median(label, 'fresh', 1):>11.2f}"
              f"{median(label, 'no-op', 0):>12.2f}{median(label, 'no-op', 1):>11.2f}")
    core, more = setups
    for kind in ("fresh", "no-op"):
        wall = (median(more, kind, 0) - median(core, kind, 0)) / args.plugins * 1000
        cpu = (median(more, kind, 1) - median(core, kind, 1)) / args.plugins * 1000
        print(f"{kind}: each plugin adds {wall:.0f} ms wall, {cpu:.0f} ms CPU")
    return 0


if __name__ == "__main__":
    run_main(main, "db_upgrade")
