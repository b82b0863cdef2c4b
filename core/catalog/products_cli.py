"""``haat products export`` and ``haat products import``: the CSV tools on the command line.

Both work on one store (``--store SLUG``) with the same columns as the admin's
import and export. The import runs in this process (not through the job queue) and
prints its progress; it exits with status 1 and the list of problems when any row is
bad (nothing is imported then).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from core.catalog.imports import (
    IMPORT_CHECKING,
    IMPORT_DONE,
    IMPORT_FAILED,
    IMPORT_WRITING,
    ProductImport,
)
from core.sdk import StoreInfo

products_group = AppGroup("products", help="Export and import a store's products as CSV.")


def _store(slug: str) -> StoreInfo:
    """The store with ``slug`` as plugins and jobs see it."""
    from core.pluginhost.web import plugins_for_tenant
    from tenants.provisioning import find_tenant

    tenant = find_tenant(slug)
    if tenant is None:
        raise click.UsageError(f"No store with the slug {slug!r}.")
    return plugins_for_tenant(tenant.id).info


@products_group.command("export")
@click.option("--store", "slug", required=True, help="The store's slug.")
@click.option("--status", type=click.Choice(["active", "draft"]), default=None,
              help="Only products with this status.")
@click.argument("target", default="-", metavar="[FILE|-]")
def export_command(slug: str, status: str | None, target: str) -> None:
    """Write the store's products as CSV to FILE, or to standard output (``-``)."""
    from core.catalog.csv_io import export_rows, to_csv
    from tenants import tenant_scope

    store = _store(slug)
    with tenant_scope(store.id):
        data = to_csv(export_rows(store.currency, lambda key: store.url(f"media/{key}"),
                                  status=status))
    with click.open_file(target, "wb") as stream:
        stream.write(data)
    if target != "-":
        click.echo(f"Wrote {target}.", err=True)


@products_group.command("import")
@click.option("--store", "slug", required=True, help="The store's slug.")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
def import_command(slug: str, source: str) -> None:
    """Import products from a CSV FILE (``-`` reads standard input), upserting by handle."""
    from core.catalog.csv_io import CsvFileError
    from core.catalog.importing import create_import, run_import, summarise
    from core.db import db
    from tenants import tenant_scope

    store = _store(slug)
    data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    shown: dict[str, int] = {}

    def progress(record: ProductImport) -> None:
        verb = {IMPORT_CHECKING: "checked", IMPORT_WRITING: "written"}.get(record.status)
        if verb is None or shown.get(verb) == record.processed_rows:
            return
        shown[verb] = record.processed_rows
        click.echo(f"{verb} {record.processed_rows}/{record.total_rows} rows")

    with tenant_scope(store.id):
        try:
            record = create_import(Path(source).name, data, "cli")
        except CsvFileError as exc:
            raise click.ClickException(str(exc)) from None
        import_id = record.id
        run_import(store, import_id, progress)
        record = db.session.get(ProductImport, import_id)
        summary = summarise(record)
        for note in summary.notes:
            click.echo(f"note: row {note['row']}, {note['column']}: {note['message']}")
        if record.status == IMPORT_DONE:
            click.echo(f"Done: {record.created_count} products added, "
                       f"{record.updated_count} updated, from {record.total_rows} rows.")
            return
        click.echo("Import failed." if record.status == IMPORT_FAILED
                   else "Import rejected: nothing was imported.", err=True)
        if summary.errors:
            click.echo(f"{'row':>6}  {'column':<26} problem", err=True)
            for error in summary.errors:
                click.echo(f"{error['row']:>6}  {error['column']:<26} {error['message']}",
                           err=True)
        if summary.total > len(summary.errors):
            click.echo(f"... and {summary.total - len(summary.errors)} more problems.",
                       err=True)
        sys.exit(1)
