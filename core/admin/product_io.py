"""CSV export and import of products at ``/admin/products/export`` and ``/import``.

Owners and staff may both use them. An upload is checked (a ``.csv`` file, UTF-8, at
most ``HAAT_IMPORT_MAX_BYTES``, the required columns) and then imported by a background
job (``core.catalog.importing``); its page shows the progress and, at the end, the
counts or every problem by row and column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.wrappers import Response
from wtforms import FileField

from core.admin.busy import wait_message
from core.admin.listing import Page, page_number, paginate
from core.catalog.csv_io import CsvFileError, export_rows, iter_csv, template_csv
from core.catalog.importing import start_import, summarise
from core.catalog.imports import (
    IMPORT_CHECKING,
    IMPORT_DONE,
    IMPORT_FAILED,
    IMPORT_QUEUED,
    IMPORT_REJECTED,
    IMPORT_WRITING,
    ProductImport,
)
from core.catalog.models import STATUS_ACTIVE, STATUS_DRAFT
from core.db import db
from core.web.budgets import spend, try_spend
from core.web.templating import number_filter
from core.web.tenancy import current_store
from tenants import tenant_scope

bp = Blueprint("admin_product_io", __name__, url_prefix="/admin/products")

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
ERRORS_PER_PAGE = 50
REFRESH_SECONDS = 2


class ImportForm(FlaskForm):
    """The upload form; :func:`_read_upload` checks the file."""

    file = FileField(_l("CSV file"))


def _max_bytes() -> int:
    from flask import current_app

    return int(current_app.config.get("HAAT_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _csv_response(data: bytes | Iterator[bytes], filename: str) -> Response:
    response = Response(data, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/export")
@login_required
def export() -> Response:
    """All products (or ``?status=active|draft``) as CSV, in the import's own columns.

    Streamed: the first rows leave while later batches are still read, so a store with
    200,000 products neither holds a worker until the whole file is built nor keeps it
    in memory, and the merchant's download starts at once (a job with a download link
    would add a page to wait on and a file to clean up, for the same database work).
    """
    from core.pluginhost.web import plugins_for_request

    store = current_store()
    spend("export")  # a per-store budget: the file is built from the whole catalogue
    status = request.args.get("status", "")
    if status not in ("", STATUS_ACTIVE, STATUS_DRAFT):
        status = ""
    info = plugins_for_request().info  # type: ignore[union-attr]
    suffix = f"-{status}" if status else ""
    body = _export_stream(store.id, store.currency, info.url, status or None)
    return _csv_response(stream_with_context(body),
                         f"{store.slug}-products{suffix}-{date.today().isoformat()}.csv")


def _export_stream(store_id: int, currency: str, store_url: Callable[[str], str],
                   status: str | None) -> Iterator[bytes]:
    """The export's bytes, read batch by batch while the response is sent.

    It runs after the view has returned and the request's store scope has ended
    (stream_with_context brings back the app and request, not the scope), so it
    enters the store's scope itself.
    """
    with tenant_scope(store_id):
        yield from iter_csv(export_rows(currency, lambda key: store_url(f"media/{key}"),
                                        status=status))


@bp.get("/import/template.csv")
@login_required
def template() -> Response:
    """An example file with every column, to fill in."""
    return _csv_response(template_csv(current_store().currency), "products-template.csv")


def _imports_page() -> Page:
    return paginate(select(ProductImport).order_by(ProductImport.created_at.desc(),
                                                   ProductImport.id.desc()),
                    select(func.count(ProductImport.id)), page_number(request.args.get("page")),
                    per_page=20)


#: An import's status as the merchant reads it in the list of imports.
STATUS_LABELS = {
    IMPORT_QUEUED: _l("Queued"), IMPORT_CHECKING: _l("Checking"),
    IMPORT_WRITING: _l("Saving"), IMPORT_DONE: _l("Done"),
    IMPORT_REJECTED: _l("Not imported"), IMPORT_FAILED: _l("Failed"),
}


def _form_page(form: ImportForm, status_code: int = 200) -> tuple[str, int]:
    body = render_template("admin/products/import.html", store=current_store(), form=form,
                           imports=_imports_page(), max_mb=_max_bytes() // (1024 * 1024),
                           failed=status_code == 422, status_labels=STATUS_LABELS)
    return body, status_code


@bp.get("/import")
@login_required
def import_form() -> tuple[str, int]:
    """The upload form and the store's recent imports."""
    return _form_page(ImportForm(formdata=None))


def _read_upload(form: ImportForm) -> tuple[str, bytes] | None:
    """The file's name and bytes, or ``None`` with the problem next to the field."""
    upload = request.files.get("file")
    problem = ""
    data = b""
    if upload is None or not upload.filename:
        problem = _("Choose a CSV file to upload.")
    elif not upload.filename.lower().endswith(".csv"):
        problem = _("Upload a .csv file. In Excel choose \"Save as\" → \"CSV UTF-8\".")
    else:
        data = upload.read(_max_bytes() + 1)
        if len(data) > _max_bytes():
            problem = _("The file is larger than %(size)s MB. Split it into smaller files.",
                        size=number_filter(_max_bytes() // (1024 * 1024)))
        elif not data.strip(b"\xef\xbb\xbf \r\n\t"):
            problem = _("The file is empty.")
    if problem:
        form.file.errors = [problem]
        return None
    return upload.filename, data  # type: ignore[union-attr]


@bp.post("/import")
@login_required
def start() -> Response | tuple[str, int]:
    """Check the upload, queue the import and show its page."""
    form = ImportForm()
    upload = _read_upload(form)
    if upload is None:
        return _form_page(form, 422)
    filename, data = upload
    wait = try_spend("import")
    if wait:  # the store's import budget is used up: say so next to the file, keep the form
        form.file.errors = [wait_message(wait)]
        body, _status = _form_page(form, 429)
        return Response(body, status=429, headers={"Retry-After": str(wait)})
    try:
        record = start_import(current_store().id, filename, data, current_user.email)
    except CsvFileError as exc:
        form.file.errors = [str(exc)]
        return _form_page(form, 422)
    flash(_("Import of %(name)s started.", name=filename), "success")
    return redirect(url_for("admin_product_io.import_status", import_id=record.id), 303)


def _import_or_404(import_id: int) -> ProductImport:
    record = db.session.get(ProductImport, import_id)
    if record is None:
        abort(404)
    return record


@bp.get("/imports/<id:import_id>")
@login_required
def import_status(import_id: int) -> str:
    """Progress while the job runs (the page reloads itself); counts or problems after."""
    record = _import_or_404(import_id)
    summary = summarise(record)
    number = page_number(request.args.get("page"))
    last = max(1, -(-len(summary.errors) // ERRORS_PER_PAGE))
    number = min(number, last)
    start_at = (number - 1) * ERRORS_PER_PAGE
    errors = Page(items=summary.errors[start_at:start_at + ERRORS_PER_PAGE], number=number,
                  per_page=ERRORS_PER_PAGE, total=len(summary.errors))
    return render_template("admin/products/import_status.html", store=current_store(),
                           record=record, summary=summary, errors=errors,
                           refresh=REFRESH_SECONDS)


@bp.get("/imports/<id:import_id>.json")
@login_required
def import_status_json(import_id: int) -> Response:
    """The same progress for scripts that poll."""
    record = _import_or_404(import_id)
    summary = summarise(record)
    return jsonify(id=record.id, status=record.status, finished=record.finished,
                   total_rows=record.total_rows, processed_rows=record.processed_rows,
                   created=record.created_count, updated=record.updated_count,
                   error_count=summary.total)
