"""Order SMS through the outbox, and sign-in codes, side by side with bare SQLAlchemy.

    .venv/bin/python bench/messaging_speed.py [--count 2000] [--rounds 3]
        [--database-url URL]

Each round makes two fresh stores (``core.platform.signup.sign_up``: BDT, Bengali, BD),
one for Haat and one for the references, and gives each ``--count`` phone-only orders
(phone ``01712345678``, no email, Bengali) written straight through the ORM, untimed,
as the test suite does (``tests/admin_support.py``). Then it times:

**Messages** (one per order, the ``order_paid`` SMS):

* **Haat**: for each order, in its own app context and the store's tenant scope (like
  one request): load the order, ``core.messaging.service.queue_order_messages(order,
  "order_paid")``, commit. Leaving the context delivers the queued job and, with
  ``HAAT_JOBS=immediate``, runs ``deliver_message`` at once: claim the row (commit),
  load the order and its lines, render the Bengali text (UCS-2), pick the store's
  gateway (core's outbox, ``HAAT_OUTBOX_DIR`` = a temp dir), write the ``.sms`` file
  (temp file + rename), mark the row sent, add an order event, commit. Per message:
  three commits, one file. Checked afterwards: ``--count`` ``.sms`` files in UCS-2 and
  ``--count`` rows ``sent``.
* **bare rows**: SQLAlchemy Core ``insert(Message.__table__)`` executemany of
  ``--count`` rows, every column as Haat leaves it (status ``sent``, provider
  ``outbox``, the same Bengali body and part count), in one transaction. The texts
  are rendered beforehand, untimed, so this side does no rendering, no gateway
  lookup, no order event, and one commit in all.
* **bare rows + files**: the same, plus ``--count`` small text files with the same
  content as the outbox's (plain ``write_text``, no rename).
* **bare, 3 commits/msg + file**: per message, the transactions Haat's design needs
  for exactly-once delivery, without the ORM or rendering: ``INSERT`` (queued),
  commit; ``UPDATE`` to sending where queued, commit; write the file; ``UPDATE`` to
  sent with body, parts and provider, commit. The floor for the same guarantees.

* **Haat, own wording**: the Haat loop again in a third store that saved its own
  Bengali ``order_paid`` SMS (``core.messaging.models.MessageTemplate``: placeholders
  and an ``{% if %}``), so each send also looks the wording up and renders it in the
  sandbox. Compared with the standard-text loop of the same round.

**Sign-in codes** (``core.accounts.codes``), ``--count`` distinct phone numbers:

* **Haat issue**: ``issue_code("sign_in", "sms", address)`` + commit for each (an
  ``UPDATE`` retiring earlier codes, the salted HMAC, an ``INSERT``). Only the code:
  sending it is the messages' part.
* **Haat verify**: ``check_code("sign_in", address, code)`` with the right code for
  each (a ``SELECT``, the counted try, marking it used, a commit, a refresh).
* **bare, one transaction**: the same rows (salt and HMAC computed alike) by one
  executemany; verifying = one ``SELECT`` of the newest live code by address and an
  HMAC comparison each, nothing written.
* **bare, same statements**: per code, the statements ``issue_code``/``check_code``
  run, with a commit each, through a Core connection: issue = ``UPDATE`` + ``INSERT``
  + commit; verify = ``SELECT`` + ``UPDATE`` attempts + ``UPDATE`` used + commit. This
  is the fairer reference: codes are issued and checked one per request.

Everything runs in one process on one database (app built like the test suite's:
``core.testing.build_test_app``, ``HAAT_JOBS=immediate``; the app's log, one INFO line
per SMS as in production, goes to a file in the temp dir, not the terminal). Printed:
ops/s (median of ``--rounds``) of Haat and of each reference, Haat / reference (1.000 =
as fast) and its inverse (how many times faster the reference is).

The default database is a new SQLite file (WAL, as core sets it); ``--database-url``
takes any SQLAlchemy URL (for PostgreSQL,
``postgresql+psycopg://postgres@127.0.0.1:5432/haat_bench_messages``: the database is
created if missing). EVERYTHING IN THAT DATABASE IS DROPPED FIRST.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import logging
import secrets
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO

from storefront_speed import run_main

PASSWORD = "bench-password-123"  # noqa: S105 - a throwaway store in a throwaway database
STORE_NAME = "ঢাকা কারুশিল্প"  # Bengali, so the whole SMS is UCS-2
PHONE = "01712345678"
EVENT = "order_paid"
PRICE = 150_000  # ৳1,500.00

# (section, what, reference) of each measurement, in the printed order
ROWS = (
    ("messages", "Haat: queue + deliver", ""),
    ("messages", "bare rows", "rows only, 1 transaction"),
    ("messages", "bare rows + files", "rows + files, 1 transaction"),
    ("messages", "bare 3 commits + file", "3 commits/msg + file"),
    ("wording", "Haat: own wording", "Haat, standard text"),
    ("issue", "Haat: issue_code", ""),
    ("issue", "bare batch insert", "executemany, 1 transaction"),
    ("issue", "bare same stmts", "UPDATE+INSERT, commit each"),
    ("verify", "Haat: check_code", ""),
    ("verify", "bare SELECT each", "SELECT by address each"),
    ("verify", "bare same stmts", "SELECT+2 UPDATEs, commit each"),
)


# ------------------------------------------------------------------------- set-up


def new_store(slug: str) -> int:
    from core.platform.signup import sign_up

    return sign_up(slug=slug, name=STORE_NAME, email=f"owner@{slug}.example",
                   password=PASSWORD, locale="bn", currency="BDT", country="BD").tenant.id


def insert_orders(store_id: int, count: int) -> list[int]:
    """``count`` phone-only Bengali orders straight into the database (as
    ``tests/admin_support.insert_orders`` does); their ids."""
    from core.db import db
    from core.orders.models import Order, OrderLine
    from core.orders.numbering import next_order_number
    from tenants import tenant_scope

    with tenant_scope(store_id):
        orders = []
        for _ in range(count):
            order = Order(number=next_order_number(), token=secrets.token_urlsafe(24),
                          idempotency_key=secrets.token_hex(16), currency="BDT",
                          email="", phone=PHONE, locale="bn", payment_method="manual",
                          payment_label="Pay on delivery", payment_state="paid",
                          subtotal=PRICE, total=PRICE)
            order.lines.append(OrderLine(title="নকশি কাঁথা", quantity=1, unit_price=PRICE,
                                         line_total=PRICE))
            db.session.add(order)
            orders.append(order)
        db.session.commit()
        ids = [o.id for o in orders]
    db.session.remove()
    return ids


#: The store's own order_paid SMS in the wording round (placeholders and an if).
WORDING_MARK = "ধন্যবাদ"
WORDING = ("{{ store }}: {{ name }}, অর্ডার {{ number }}-এর {{ total }} পেয়েছি। "
           "{% if link %}দেখুন: {{ link }}{% endif %} " + WORDING_MARK)


def save_wording(store_id: int) -> None:
    """The store's own Bengali wording of the ``order_paid`` SMS, as the editor saves it."""
    from core.db import db
    from core.messaging.models import MessageTemplate
    from tenants import tenant_scope

    with tenant_scope(store_id):
        db.session.add(MessageTemplate(event=EVENT, channel="sms", locale="bn", body=WORDING))
        db.session.commit()
    db.session.remove()


def addresses(kind: int, count: int) -> list[str]:
    """``count`` distinct E.164-looking phone numbers, a different set for each ``kind``."""
    return [f"+880171{kind}{i:06d}" for i in range(count)]


# ----------------------------------------------------------------------- messages


def haat_messages(app: Any, store_id: int, order_ids: list[int]) -> float:
    from core.db import db
    from core.messaging.service import queue_order_messages
    from core.orders.models import Order
    from tenants import tenant_scope

    started = time.perf_counter()
    for order_id in order_ids:
        # One app context per order, like a request: leaving it delivers the queued job,
        # which HAAT_JOBS=immediate runs here (deliver_message).
        with app.app_context(), tenant_scope(store_id):
            queue_order_messages(db.session.get(Order, order_id), EVENT)
            db.session.commit()
    return time.perf_counter() - started


def check_haat_messages(store_id: int, outbox: Path, count: int) -> str:
    """What is wrong with the Haat round's outcome ("" when all went out)."""
    import sqlalchemy as sa

    from core.db import db
    from core.messaging.models import SENT, Message
    from tenants import tenant_scope

    files = sorted(outbox.glob("*.sms"))
    with tenant_scope(store_id):
        sent = db.session.scalar(sa.select(sa.func.count(Message.id))
                                 .where(Message.status == SENT, Message.channel == "sms"))
        statuses = dict(db.session.execute(sa.select(Message.status, sa.func.count())
                                           .group_by(Message.status)).all())
    db.session.remove()
    if len(files) != count or sent != count:
        return f"{len(files)} .sms files and {statuses} messages for {count} orders"
    if "Encoding: UCS-2" not in files[0].read_text(encoding="utf-8"):
        return f"{files[0].name} is not UCS-2:\n{files[0].read_text(encoding='utf-8')}"
    return ""


def rendered_texts(store_id: int, order_ids: list[int]) -> list[dict[str, Any]]:
    """Each order's SMS as Haat renders it (untimed): the references' rows and files."""
    from core.db import db
    from core.messaging.phones import to_e164
    from core.messaging.service import render_order_sms
    from core.messaging.sms import sms_size
    from core.orders.models import Order
    from core.pluginhost.web import plugins_for_tenant
    from tenants import tenant_scope

    out = []
    with tenant_scope(store_id):
        store = plugins_for_tenant(store_id).info
        for order_id in order_ids:
            order = db.session.get(Order, order_id)
            text = render_order_sms(store, order, EVENT)
            size = sms_size(text)
            out.append({"order_id": order_id, "number": order.number, "text": text,
                        "parts": size.parts, "unicode": size.unicode,
                        "to": to_e164(order.phone, "BD")})
    db.session.remove()
    return out


def sms_file(store_id: int, item: dict[str, Any]) -> str:
    """The outbox file's content (``core.messaging.sms.OutboxGateway``)."""
    return (f"To: {item['to']}\nFrom: (gateway default)\nReference: haat-{store_id}-"
            f"{item['order_id']}\nEncoding: {'UCS-2' if item['unicode'] else 'GSM 03.38'}\n"
            f"Parts: {item['parts']}\n\n{item['text']}\n")


def message_row(store_id: int, item: dict[str, Any], variant: str, now: Any,
                file_name: str) -> dict[str, Any]:
    return {"tenant_id": store_id, "key": f"order:{item['order_id']}:{EVENT}:sms:{variant}",
            "event": EVENT, "channel": "sms", "recipient": item["to"], "customer_id": None,
            "order_id": item["order_id"], "locale": "bn", "data": {}, "subject": "",
            "body": item["text"], "parts": item["parts"], "provider": "outbox",
            "provider_ref": file_name, "status": "sent", "attempts": 1, "error": "",
            "created_at": now, "sent_at": now}


def bare_messages(store_id: int, items: list[dict[str, Any]], folder: Path | None,
                  variant: str) -> float:
    """Rows by one executemany in one transaction; with ``folder``, plus the files."""
    import sqlalchemy as sa

    from core.db import db, utcnow
    from core.messaging.models import Message

    started = time.perf_counter()
    now = utcnow()
    rows = [message_row(store_id, item, variant, now, f"{variant}-{i}.sms")
            for i, item in enumerate(items)]
    with db.engine.begin() as connection:
        connection.execute(sa.insert(Message.__table__), rows)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        for i, item in enumerate(items):
            (folder / f"{variant}-{i}.sms").write_text(sms_file(store_id, item),
                                                       encoding="utf-8")
    return time.perf_counter() - started


def bare_messages_committed(store_id: int, items: list[dict[str, Any]], folder: Path,
                            variant: str) -> float:
    """Per message: INSERT queued, commit; claim, commit; file; mark sent, commit."""
    import sqlalchemy as sa

    from core.db import db, utcnow
    from core.messaging.models import Message

    table = Message.__table__
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with db.engine.connect() as connection:
        for i, item in enumerate(items):
            row = message_row(store_id, item, variant, utcnow(), "")
            row.update(status="queued", attempts=0, body="", parts=0, provider="",
                       sent_at=None)
            message_id = connection.execute(sa.insert(table), row).inserted_primary_key[0]
            connection.commit()
            connection.execute(sa.update(table).where(table.c.id == message_id,
                                                      table.c.status == "queued")
                               .values(status="sending", attempts=table.c.attempts + 1))
            connection.commit()
            name = f"{variant}-{i}.sms"
            (folder / name).write_text(sms_file(store_id, item), encoding="utf-8")
            connection.execute(sa.update(table).where(table.c.id == message_id)
                               .values(status="sent", body=item["text"], parts=item["parts"],
                                       provider="outbox", provider_ref=name,
                                       sent_at=utcnow()))
            connection.commit()
    return time.perf_counter() - started


def count_bare(store_id: int, folder: Path, variants: list[str], count: int) -> str:
    import sqlalchemy as sa

    from core.db import db
    from core.messaging.models import Message

    table = Message.__table__
    problems = []
    for variant in variants:
        with db.engine.connect() as connection:
            rows = connection.scalar(sa.select(sa.func.count()).select_from(table).where(
                table.c.tenant_id == store_id, table.c.status == "sent",
                table.c.key.like(f"%:sms:{variant}")))
        files = len(list(folder.glob(f"{variant}-*.sms")))
        wanted_files = 0 if variant == "rows" else count
        if rows != count or files != wanted_files:
            problems.append(f"{variant}: {rows} rows, {files} files")
    return "; ".join(problems)


# -------------------------------------------------------------------------- codes


def haat_codes(store_id: int, phones: list[str]) -> tuple[float, float, int]:
    """Seconds to issue a code for each phone, seconds to check them all, codes right."""
    from core.accounts.codes import check_code, issue_code
    from core.db import db
    from tenants import tenant_scope

    with tenant_scope(store_id):
        codes = []
        started = time.perf_counter()
        for phone in phones:
            _row, code = issue_code("sign_in", "sms", phone)
            db.session.commit()
            codes.append(code)
        issued = time.perf_counter()
        right = 0
        for phone, code in zip(phones, codes, strict=True):
            right += check_code("sign_in", phone, code).row is not None
        checked = time.perf_counter()
    db.session.remove()
    return issued - started, checked - issued, right


def code_hash(key: bytes, salt: str, code: str) -> str:
    return hmac.new(key, f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()


def code_row(key: bytes, store_id: int, phone: str, now: Any) -> tuple[dict[str, Any], str]:
    from core.accounts.codes import CODE_DIGITS, CODE_LIFETIME

    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    salt = secrets.token_hex(16)
    return {"tenant_id": store_id, "purpose": "sign_in", "channel": "sms", "address": phone,
            "salt": salt, "code_hash": code_hash(key, salt, code), "order_id": None,
            "attempts": 0, "created_at": now, "expires_at": now + CODE_LIFETIME,
            "used_at": None}, code


def newest_live(table: Any, store_id: int, phone: str) -> Any:
    import sqlalchemy as sa

    return (sa.select(table.c.id, table.c.salt, table.c.code_hash, table.c.attempts,
                      table.c.expires_at)
            .where(table.c.tenant_id == store_id, table.c.address == phone,
                   table.c.purpose == "sign_in", table.c.used_at.is_(None))
            .order_by(table.c.created_at.desc(), table.c.id.desc()).limit(1))


def bare_codes_batch(key: bytes, store_id: int, phones: list[str]) -> tuple[float, float, int]:
    """One executemany of the rows; then one SELECT + HMAC comparison per phone."""
    import sqlalchemy as sa

    from core.accounts.models import ShopperCode
    from core.db import db, utcnow

    table = ShopperCode.__table__
    started = time.perf_counter()
    now = utcnow()
    made = [code_row(key, store_id, phone, now) for phone in phones]
    with db.engine.begin() as connection:
        connection.execute(sa.insert(table), [row for row, _code in made])
    issued = time.perf_counter()
    right = 0
    with db.engine.connect() as connection:
        for phone, (_row, code) in zip(phones, made, strict=True):
            found = connection.execute(newest_live(table, store_id, phone)).first()
            right += found is not None and hmac.compare_digest(
                found.code_hash, code_hash(key, found.salt, code))
    return issued - started, time.perf_counter() - issued, right


def bare_codes_statements(key: bytes, store_id: int,
                          phones: list[str]) -> tuple[float, float, int]:
    """The statements of issue_code and check_code, one commit per code, via Core."""
    import sqlalchemy as sa

    from core.accounts.models import ShopperCode
    from core.db import db, utcnow

    table = ShopperCode.__table__
    codes = []
    with db.engine.connect() as connection:
        started = time.perf_counter()
        for phone in phones:
            now = utcnow()
            connection.execute(sa.update(table).where(
                table.c.tenant_id == store_id, table.c.address == phone,
                table.c.purpose == "sign_in", table.c.used_at.is_(None)).values(used_at=now))
            row, code = code_row(key, store_id, phone, now)
            connection.execute(sa.insert(table), row)
            connection.commit()
            codes.append(code)
        issued = time.perf_counter()
        right = 0
        for phone, code in zip(phones, codes, strict=True):
            now = utcnow()
            found = connection.execute(newest_live(table, store_id, phone)).first()
            counted = found is not None and connection.execute(
                sa.update(table).where(table.c.id == found.id,
                                       table.c.attempts == found.attempts,
                                       table.c.used_at.is_(None))
                .values(attempts=table.c.attempts + 1)).rowcount == 1
            if counted and hmac.compare_digest(found.code_hash,
                                               code_hash(key, found.salt, code)):
                right += connection.execute(
                    sa.update(table).where(table.c.id == found.id, table.c.used_at.is_(None))
                    .values(used_at=now)).rowcount == 1
            connection.commit()
        checked = time.perf_counter()
    return issued - started, checked - issued, right


# --------------------------------------------------------------------------- main


def one_round(app: Any, number: int, count: int, workdir: Path,
              results: dict[str, list[float]]) -> str:
    """Measure everything once into ``results`` (ops/s by name); a problem, or ""."""
    from core.db import db

    def note(name: str, seconds: float) -> None:
        results[name].append(count / seconds)

    haat_store, bare_store = new_store(f"haat-{number}"), new_store(f"bare-{number}")
    worded_store = new_store(f"word-{number}")
    db.session.remove()
    haat_orders = insert_orders(haat_store, count)
    bare_orders = insert_orders(bare_store, count)
    worded_orders = insert_orders(worded_store, count)
    save_wording(worded_store)
    items = rendered_texts(bare_store, bare_orders)

    outbox = workdir / f"outbox-{number}"
    app.config["HAAT_OUTBOX_DIR"] = str(outbox)  # read by the gateway at each send
    note("Haat: queue + deliver", haat_messages(app, haat_store, haat_orders))
    problem = check_haat_messages(haat_store, outbox, count)
    if problem:
        return f"Haat messages: {problem}"
    if number == 1:
        sample = sorted(outbox.glob("*.sms"))[0].read_text(encoding="utf-8")
        print("  first .sms file:\n    " + sample.strip().replace("\n", "\n    "))
    worded_outbox = workdir / f"outbox-word-{number}"
    app.config["HAAT_OUTBOX_DIR"] = str(worded_outbox)
    note("wording Haat: own wording", haat_messages(app, worded_store, worded_orders))
    problem = check_haat_messages(worded_store, worded_outbox, count)
    if not problem and WORDING_MARK not in sorted(worded_outbox.glob("*.sms"))[0].read_text(
            encoding="utf-8"):
        problem = "the store's own wording was not used"
    if problem:
        return f"Haat messages with the store's wording: {problem}"
    shutil.rmtree(worded_outbox, ignore_errors=True)
    files = workdir / f"bare-{number}"
    note("bare rows", bare_messages(bare_store, items, None, "rows"))
    note("bare rows + files", bare_messages(bare_store, items, files, "files"))
    note("bare 3 commits + file", bare_messages_committed(bare_store, items, files, "commits"))
    problem = count_bare(bare_store, files, ["rows", "files", "commits"], count)
    if problem:
        return f"bare messages: {problem}"

    key = str(app.config["SECRET_KEY"]).encode()
    for kind, (issue_name, verify_name, measure) in enumerate((
            ("Haat: issue_code", "Haat: check_code", lambda p: haat_codes(haat_store, p)),
            ("bare batch insert", "bare SELECT each",
             lambda p: bare_codes_batch(key, bare_store, p)),
            ("bare same stmts", "bare same stmts",
             lambda p: bare_codes_statements(key, bare_store, p)))):
        # each side its own phone numbers, so every code is the first for its number
        issue_s, verify_s, right = measure(addresses(kind, count))
        if right != count:
            return f"{issue_name}: {right} of {count} codes verified"
        note(f"issue {issue_name}", issue_s)
        note(f"verify {verify_name}", verify_s)
    shutil.rmtree(outbox, ignore_errors=True)
    shutil.rmtree(files, ignore_errors=True)
    return ""


def quiet_logs(root_handlers: list[logging.Handler], path: Path) -> TextIO:
    """Undo the root console handler that the migrations' ``fileConfig`` adds (it would
    print every app log line a second time) and send the app's own log (``haat``, at
    ``HAAT_LOG_LEVEL``: one INFO line per SMS written) to ``path`` instead of the
    terminal. Haat still formats and writes every line it would in production."""
    root = logging.getLogger()
    for handler in root.handlers[:]:
        if handler not in root_handlers:
            root.removeHandler(handler)
    stream = path.open("w", encoding="utf-8")
    for handler in logging.getLogger("haat").handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(stream)
    return stream


def key_of(section: str, what: str) -> str:
    return what if section == "messages" else f"{section} {what}"


def report(results: dict[str, list[float]], count: int, rounds: int) -> None:
    print()
    print(f"ops/s, median of {rounds} rounds of {count:,}; ratio = Haat ops/s / reference "
          f"ops/s (1.000 = as fast)")
    print(f"{'what':<28}{'reference':<31}{'Haat/s':>8}{'ref/s':>9}{'ratio':>8}"
          f"{'ref÷Haat':>10}")
    haat = 0.0
    for section, what, reference in ROWS:
        value = statistics.median(results[key_of(section, what)])
        if section == "wording":  # the store's own text, against the standard text
            haat, value = value, statistics.median(results["Haat: queue + deliver"])
        elif not reference:
            haat = value
            continue
        label = {"messages": "SMS queued+rendered+sent",
                 "wording": "SMS, store's own wording",
                 "issue": "sign-in codes issued",
                 "verify": "sign-in codes verified"}[section]
        print(f"{label:<28}{reference:<31}{haat:>8,.0f}{value:>9,.0f}{haat / value:>8.3f}"
              f"{value / haat:>9.1f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000,
                        help="orders (one SMS each) and sign-in codes per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default="",
                        help="SQLAlchemy URL (default: a new SQLite file); it is WIPED")
    args = parser.parse_args()

    from core.db import db
    from core.testing import build_test_app, dispose, ensure_postgres_database

    workdir = Path(tempfile.mkdtemp(prefix="haat-messaging-bench-"))
    log = None
    try:
        url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
        if url.startswith(("postgres://", "postgresql")):
            ensure_postgres_database(url)
        root_handlers = list(logging.getLogger().handlers)
        app = build_test_app(workdir, url, HAAT_DEFAULT_PLUGINS="", HAAT_JOBS="immediate",
                             HAAT_SMS="outbox", HAAT_OUTBOX_DIR=str(workdir / "outbox"))
        log = quiet_logs(root_handlers, workdir / "haat.log")
        results: dict[str, list[float]] = {key_of(s, w): [] for s, w, _r in ROWS}
        with app.app_context():
            print(f"database: {db.engine.dialect.name} "
                  f"{db.engine.dialect.server_version_info}; {args.count:,} orders and "
                  f"codes per round, {args.rounds} rounds")
            for number in range(1, args.rounds + 1):
                problem = one_round(app, number, args.count, workdir, results)
                if problem:
                    print(f"round {number}: {problem}")
                    return 1
                print(f"round {number}: " + ", ".join(
                    f"{name} {values[-1]:,.0f}/s" for name, values in results.items()),
                    flush=True)
        dispose(app)
        report(results, args.count, args.rounds)
        return 0
    finally:
        if log is not None:
            log.close()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    run_main(main, "messaging_speed")
