"""Fairness between stores in background work (issue 21).

A real SQLite queue in a temporary folder, driven the way ``haat jobs worker`` drives it
(each worker thread's ``loop()``, Huey's ``dequeue``/``execute``), with no sleeps:

* a transactional job (an email) queued after another store's imports runs first,
  on the transactional worker thread that bulk work never takes;
* a store runs at most ``HAAT_BULK_PER_STORE`` bulk jobs at once; its next one is put
  back on the schedule (no worker thread waits on it) while other stores' run.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from huey import SqliteHuey
from sqlalchemy import select

from admin_support import sign_in
from conftest import read_outbox
from core import jobs
from core.bulk_slots import BulkSlots
from core.catalog.imports import IMPORT_DONE, IMPORT_QUEUED, ProductImport
from core.db import db
from core.jobs import Jobs
from core.jobs_worker import consumers
from core.sdk import SearchQuery, StoreInfo, run_bulk
from tenants import tenant_scope

CSV = ("Handle,Title,Variant Price\n"
       + "".join(f"item-{n},Item {n},{n + 10}.00\n" for n in range(30))).encode()


@pytest.fixture
def stores(make_store):
    return make_store("busy-importer", name="Busy Importer"), make_store("quiet-shop")


@pytest.fixture
def queues(app, tmp_path, monkeypatch) -> Iterator[Jobs]:
    """The app's queues as ``HAAT_JOBS=sqlite`` makes them, in a temporary file."""
    path = str(tmp_path / "jobs.db")
    jobs = Jobs(SqliteHuey("haat", filename=path), retries=2, retry_delay=15,
                bulk=SqliteHuey("haat-bulk", filename=path), bulk_per_store=1, bulk_wait=5)
    monkeypatch.setitem(app.extensions, "haat_jobs", jobs)
    yield jobs
    jobs.huey.storage.close()
    jobs.bulk.storage.close()


def later(seconds: float) -> datetime:
    """Huey's clock (naive UTC) ``seconds`` from now."""
    return datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=seconds)


def import_statuses(app, tenant) -> list[str]:
    with app.app_context(), tenant_scope(tenant.id):
        return list(db.session.scalars(select(ProductImport.status).order_by(ProductImport.id)))


def upload_import(client, name: str) -> None:
    response = client.post("/admin/products/import", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(CSV), name)})
    assert response.status_code == 303


def test_an_email_is_not_held_behind_another_stores_imports(app, stores, store_client,
                                                            queues, outbox, enable_plugin):
    busy, quiet = stores
    enable_plugin(busy, "search")  # every product an import writes asks for a search update
    owner = sign_in(store_client, busy)
    upload_import(owner, "first.csv")
    upload_import(owner, "second.csv")
    # Then the quiet store's owner asks for a password-reset email (a transactional job).
    answer = store_client(quiet.slug).post("/admin/forgot",
                                           data={"email": f"owner@{quiet.slug}.example"})
    assert answer.status_code in (200, 303)
    assert read_outbox(outbox) == []

    transactional, bulk = consumers(queues, workers=1, bulk_workers=1)
    assert transactional.huey is queues.huey and bulk.huey is queues.bulk
    worker, _thread = transactional.worker_threads[0]
    with app.app_context():
        worker.loop()  # the transactional thread's first turn
    sent = read_outbox(outbox)
    assert [message["To"] for message in sent] == [f"owner@{quiet.slug}.example"]
    # The imports queued before it are still waiting for the bulk threads.
    assert import_statuses(app, busy) == [IMPORT_QUEUED, IMPORT_QUEUED]
    assert queues.huey.pending_count() == 0 and queues.bulk.pending_count() == 2

    bulk_worker, _thread = bulk.worker_threads[0]
    with app.app_context():
        bulk_worker.loop()
        bulk_worker.loop()
    assert import_statuses(app, busy) == [IMPORT_DONE, IMPORT_DONE]
    # The search updates the imports asked for are bulk work too: batched on the bulk
    # queue (one job for the first import; the second, the same file, changed nothing),
    # not one transactional job per product.
    assert queues.huey.pending_count() == 0
    assert queues.bulk.pending_count() == 1
    with app.app_context():
        bulk_worker.loop()
    assert queues.bulk.pending_count() == 0 and queues.bulk.scheduled_count() == 0
    with app.app_context(), tenant_scope(busy.id):
        from core.pluginhost.web import plugins_for_tenant
        from core.sdk import embedded_search_backend

        found = embedded_search_backend().query(plugins_for_tenant(busy.id).info, SearchQuery(
            text="Item", page=1, per_page=50))
    assert found.total == 30  # every product was indexed by the batches
    assert import_statuses(app, quiet) == []  # isolation: nothing reached the quiet store


# Module-level bulk jobs (a job must be one); what they saw, and what runs "meanwhile".
ran: list[tuple[int, str]] = []
meanwhile: list[Callable[[], None]] = []


def bulk_job(store: StoreInfo, label: str) -> None:
    """A bulk job; while the first one runs, another bulk thread takes the next jobs."""
    ran.append((store.id, f"{label} started"))
    while meanwhile:
        meanwhile.pop(0)()
    ran.append((store.id, f"{label} finished"))


def queue_bulk(app, tenant, label: str) -> None:
    from core.pluginhost.web import plugins_for_tenant

    with app.app_context(), tenant_scope(tenant.id):
        run_bulk(plugins_for_tenant(tenant.id).info, bulk_job, label)


@pytest.fixture(autouse=True)
def _forget():
    ran.clear()
    meanwhile.clear()


def test_a_store_runs_one_bulk_job_at_a_time_while_other_stores_go_on(app, stores, queues):
    busy, quiet = stores
    bulk = queues.bulk
    queue_bulk(app, busy, "import 1")
    queue_bulk(app, busy, "import 2")
    queue_bulk(app, quiet, "feed")
    assert bulk.pending_count() == 3

    def second_thread_takes_next() -> None:
        bulk.execute(bulk.dequeue())

    # While "import 1" runs, another bulk thread takes the next two jobs.
    meanwhile.extend([second_thread_takes_next, second_thread_takes_next])
    with app.app_context():
        bulk.execute(bulk.dequeue())
    assert ran == [(busy.id, "import 1 started"), (quiet.id, "feed started"),
                   (quiet.id, "feed finished"), (busy.id, "import 1 finished")]
    # "import 2" did not run beside "import 1": it was put back on the schedule,
    # with its retries untouched, and no thread waited for it.
    assert bulk.pending_count() == 0
    [waiting] = bulk.scheduled()
    assert waiting.args[1] == busy.id and waiting.retries == 2
    assert bulk.read_schedule(later(1)) == []  # it waits HAAT_BULK_WAIT seconds

    due = bulk.read_schedule(later(6))
    assert len(due) == 1
    with app.app_context():
        bulk.execute(due[0], later(6))
    assert ran[-2:] == [(busy.id, "import 2 started"), (busy.id, "import 2 finished")]
    assert queues.slots.busy(busy.id) == 0  # every slot given back


def test_the_cap_per_store_is_configurable(app, stores, queues):
    busy, quiet = stores
    slots = BulkSlots(queues.bulk, cap=2, ttl=60)
    first, second = slots.acquire(busy.id), slots.acquire(busy.id)
    assert first and second and first != second
    assert slots.acquire(busy.id) is None
    assert slots.acquire(quiet.id) is not None  # another store's slots are its own
    slots.release(first)
    assert slots.acquire(busy.id).key == first.key


def test_a_slot_of_a_worker_that_died_frees_after_its_time(app, stores, queues):
    busy, _quiet = stores
    slots = BulkSlots(queues.bulk, cap=1, ttl=60)
    held = slots.acquire(busy.id)
    assert slots.acquire(busy.id) is None
    # The worker died mid-job and never gave it back; its time passes.
    queues.bulk.storage.put_data(held.key, b"1.0 " + held.token.encode())
    assert slots.busy(busy.id) == 0
    taken_over = slots.acquire(busy.id)
    assert taken_over.key == held.key
    assert slots.acquire(busy.id) is None
    # The slow job ends after all: giving back its lapsed slot frees not the new holder's.
    slots.release(held)
    assert slots.busy(busy.id) == 1 and slots.acquire(busy.id) is None
    slots.release(taken_over)
    assert slots.busy(busy.id) == 0


def test_the_worker_can_run_either_queue_alone(queues):
    assert [c.huey for c in consumers(queues, workers=2, bulk_workers=1, queue="bulk")] \
        == [queues.bulk]
    [alone] = consumers(queues, workers=3, bulk_workers=1, queue="transactional")
    assert alone.huey is queues.huey and alone.workers == 3 and alone.periodic
    _transactional, bulk = consumers(queues, workers=1, bulk_workers=4)
    assert bulk.workers == 4 and bulk.periodic  # the bulk queue's own: the cart clean-up
    due = {task.name for task in queues.bulk.read_periodic(datetime(2026, 1, 1, 5, 37))}
    assert jobs.SCHEDULES_TASK not in due  # schedules are dispatched once, transactionally


def test_under_immediate_jobs_bulk_work_runs_at_once(app, stores):
    busy, _quiet = stores
    queue_bulk(app, busy, "now")
    assert ran == [(busy.id, "now started"), (busy.id, "now finished")]
