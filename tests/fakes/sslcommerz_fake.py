"""A FAKE of SSLCommerz's payment API (v4), for tests. THIS IS NOT SSLCOMMERZ.

Nothing here talks to SSLCommerz or moves money. This module answers the requests
that ``plugins/sslcommerz`` makes, the way SSLCommerz's API v4 documentation
(https://developer.sslcommerz.com/doc/v4/) and its official clients
(github.com/sslcommerz/SSLCommerz-Python, ``sslcommerz-lib``; the PHP and Node
``sslcommerz-lts`` libraries) describe them, so the plugin can be tested offline and
the Playwright demo can pay on a local page. Point the plugin at
:attr:`FakeSslcommerz.url` through ``HAAT_SSLCOMMERZ_API_BASE``.

What it keeps from SSLCommerz
-----------------------------
* ``POST /gwprocess/v4/api.php`` (form-encoded): ``store_id``, ``store_passwd``,
  ``total_amount`` (10.00-500000.00 in BDT terms), ``currency``, ``tran_id``,
  ``success_url``, ``fail_url``, ``cancel_url``, ``ipn_url`` (optional), ``cus_name``,
  ``cus_email``, ``cus_add1``, ``cus_city``, ``cus_country``, ``cus_phone``,
  ``shipping_method``, ``product_name``, ``product_category``, ``product_profile``,
  ``value_a``..``value_d``. Answers ``{"status": "SUCCESS", "failedreason": "",
  "sessionkey", "GatewayPageURL", ...}`` or ``{"status": "FAILED", "failedreason"}``
  (bad credentials, a missing field, an amount out of range).
* The hosted page, ``GET /EasyCheckOut/testcde<sessionkey>``: an HTML page that says
  it is a fake, with buttons ``#pay``, ``#decline`` and ``#cancel``. Pay marks the
  transaction VALID, sends the IPN (a server-to-server form POST to ``ipn_url``,
  signed with ``verify_sign``/``verify_key`` as SSLCommerz signs it) and answers the
  browser with an auto-submitting POST form to ``success_url``; Decline and Cancel go
  to ``fail_url`` and ``cancel_url`` the same way (status FAILED / CANCELLED).
* ``GET /validator/api/validationserverAPI.php?val_id&store_id&store_passwd&format=json``:
  ``status`` VALID the first time, VALIDATED afterwards, INVALID_TRANSACTION for an
  unknown val_id or one of another store; ``tran_id``, ``amount`` (BDT),
  ``store_amount``, ``currency`` (BDT), ``currency_type``/``currency_amount`` (what the
  session asked for), ``bank_tran_id``, ``card_type``, ``risk_level``/``risk_title``,
  ``value_a``..``value_d``, ``APIConnect``.
* ``GET /validator/api/merchantTransIDvalidationAPI.php``: with ``tran_id``, the
  store's attempts for it (``APIConnect``, ``no_of_trans_found``, ``element``); with
  ``bank_tran_id``+``refund_amount``+``refund_remarks`` (+``refe_id``), a refund
  (``APIConnect``, ``status`` success/failed/processing, ``refund_ref_id``,
  ``errorReason``; a repeated ``refe_id`` answers the first refund again); with
  ``refund_ref_id``, the refund's status. Bad credentials: ``APIConnect``
  ``INVALID_REQUEST``.

Test-only switches
------------------
:meth:`~FakeSslcommerz.fail_next_session` (FAILED with a reason),
:meth:`~FakeSslcommerz.hang`/:meth:`~FakeSslcommerz.release` (API calls wait, clients
time out), :meth:`~FakeSslcommerz.go_down`/:meth:`~FakeSslcommerz.come_back`,
:meth:`~FakeSslcommerz.refuse_next_refund`, :meth:`~FakeSslcommerz.set_risk`,
:meth:`~FakeSslcommerz.pay`/``decline``/``cancel`` (what the page's buttons do, returning
the IPN and the shopper's return form), :meth:`~FakeSslcommerz.ipn` (forge or replay
an IPN, signed with any password) and :attr:`~FakeSslcommerz.requests`.

Where it stops (limits)
-----------------------
Chosen here where the public documentation is silent: the shape of ``sessionkey``,
``val_id``, ``bank_tran_id`` and ``refund_ref_id``; the hosted page's address; the
exchange rates for non-BDT sessions (fixed); that the transaction query lists
CANCELLED and FAILED attempts with those statuses; which fields a failed attempt's IPN
carries (no ``val_id``); the error answer for bad credentials on the validation API
(``APIConnect: INVALID_REQUEST``). No EMI, no tokenised cards, no ``sha2`` signature,
no IP whitelisting of refunds, no refunds that stay "processing" (by switch only).
One process, memory only. IPNs are only POSTed by HTTP when :attr:`send_ipns` is on
(the tests' stores are not reachable over HTTP: they deliver :meth:`ipn` themselves).
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests as http_client

from .http import LocalFake, LocalServer

SESSION_PATH = "/gwprocess/v4/api.php"
VALIDATION_PATH = "/validator/api/validationserverAPI.php"
TRANSACTION_PATH = "/validator/api/merchantTransIDvalidationAPI.php"
PAGE_PREFIX = "/EasyCheckOut/testcde"

REQUIRED = ("total_amount", "currency", "tran_id", "success_url", "fail_url", "cancel_url",
            "cus_name", "cus_email", "cus_add1", "cus_city", "cus_country", "cus_phone",
            "shipping_method", "product_name", "product_category", "product_profile")
#: BDT per unit of the session's currency (fixed in the fake).
RATES = {"BDT": Decimal("1"), "USD": Decimal("110"), "EUR": Decimal("120"),
         "GBP": Decimal("140"), "INR": Decimal("1.3")}
FEE = Decimal("0.025")
#: What the IPN and the return form carry; ``verify_key`` names all of these.
SIGNED_FIELDS = ("amount", "bank_tran_id", "base_fair", "card_brand", "card_issuer",
                 "card_issuer_country", "card_issuer_country_code", "card_no",
                 "card_sub_brand", "card_type", "currency", "currency_amount",
                 "currency_rate", "currency_type", "error", "risk_level", "risk_title",
                 "status", "store_amount", "store_id", "tran_date", "tran_id", "val_id",
                 "value_a", "value_b", "value_c", "value_d")


def sign(fields: dict[str, str], store_passwd: str) -> dict[str, str]:
    """``fields`` with ``verify_key`` and ``verify_sign`` as SSLCommerz adds them."""
    keys = [k for k in fields if k not in ("verify_key", "verify_sign")]
    data = {k: fields[k] for k in keys}
    data["store_passwd"] = hashlib.md5(store_passwd.encode()).hexdigest()  # noqa: S324
    joined = "&".join(f"{k}={data[k]}" for k in sorted(data))
    digest = hashlib.md5(joined.encode()).hexdigest()  # noqa: S324
    return {**{k: fields[k] for k in keys}, "verify_key": ",".join(keys),
            "verify_sign": digest}


@dataclass
class Store:
    store_id: str
    store_passwd: str


@dataclass
class Refund:
    ref_id: str
    bank_tran_id: str
    tran_id: str
    amount: Decimal
    refe_id: str
    status: str = "success"


@dataclass
class Session:
    key: str
    store: Store
    fields: dict[str, str]
    status: str = "PENDING"  # VALID, VALIDATED, FAILED, CANCELLED
    val_id: str = ""
    bank_tran_id: str = ""
    tran_date: str = ""
    risk_level: str = "0"
    risk_title: str = "Safe"
    refunds: list[Refund] = field(default_factory=list)

    @property
    def tran_id(self) -> str:
        return self.fields["tran_id"]

    @property
    def currency(self) -> str:
        return self.fields["currency"].upper()

    @property
    def currency_amount(self) -> Decimal:
        return Decimal(self.fields["total_amount"])

    @property
    def bdt(self) -> Decimal:
        return (self.currency_amount * RATES.get(self.currency, Decimal("1"))).quantize(
            Decimal("0.01"))

    def details(self) -> dict[str, str]:
        """The fields SSLCommerz reports about this transaction."""
        paid = self.status in ("VALID", "VALIDATED")
        return {
            "tran_id": self.tran_id, "val_id": self.val_id,
            "amount": f"{self.bdt:.2f}",
            "store_amount": f"{self.bdt * (1 - FEE):.2f}" if paid else "0.00",
            "currency": "BDT", "bank_tran_id": self.bank_tran_id,
            "card_type": "BKASH-BKash" if paid else "", "card_no": "",
            "card_issuer": "BKash Mobile Banking" if paid else "", "card_brand": "MOBILEBANKING",
            "card_sub_brand": "Classic", "card_issuer_country": "Bangladesh",
            "card_issuer_country_code": "BD", "status": self.status,
            "tran_date": self.tran_date, "error": "" if paid else self.status.title(),
            "currency_type": self.currency, "currency_amount": f"{self.currency_amount:.2f}",
            "currency_rate": f"{RATES.get(self.currency, Decimal('1')):.4f}",
            "base_fair": "0.00", "risk_level": self.risk_level, "risk_title": self.risk_title,
            "store_id": self.store.store_id,
            **{k: self.fields.get(k, "") for k in ("value_a", "value_b", "value_c", "value_d")},
        }


@dataclass(frozen=True)
class Outcome:
    """What pressing a button on the page did: the IPN SSLCommerz sends and the form the
    shopper's browser posts back to the store."""

    ipn_url: str
    ipn: dict[str, str]
    return_url: str
    form: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    server_fake: FakeSslcommerz

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read :attr:`FakeSslcommerz.requests` instead."""

    def _answer(self) -> None:
        fake = self.server_fake
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        fake._wait()
        try:
            status, ctype, data = fake.handle(self.command, parts.path, query, form)
        except Exception as exc:  # a bug in the fake: say so
            status, ctype, data = 500, "text/plain", f"fake bug: {exc!r}".encode()
        with contextlib.suppress(OSError):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    do_GET = do_POST = _answer


class FakeSslcommerz(LocalFake):
    """SSLCommerz's API and hosted page, for any number of stores (store IDs)."""

    handler = _Handler

    def __init__(self) -> None:
        self._http = LocalServer("fake-sslcommerz")
        self.lock = threading.RLock()
        self.stores: dict[str, Store] = {}
        self.sessions: dict[str, Session] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.ipns_sent: list[tuple[str, int | str]] = []
        #: POST IPNs to ``ipn_url`` over HTTP when a button is pressed (the demo).
        self.send_ipns = False
        self._next_session_failure: str | None = None
        self._next_refund_refusal: str | None = None
        self._released = threading.Event()
        self._released.set()

    # --------------------------------------------------------------- set-up

    def add_store(self, name: str, *, store_id: str = "", store_passwd: str = "") -> Store:
        """A store at SSLCommerz; its ID and password are made up unless given."""
        store = Store(store_id or f"{name.replace('-', '')[:10]}{secrets.token_hex(4)}",
                      store_passwd or f"{name.replace('-', '')[:10]}{secrets.token_hex(3)}@ssl")
        with self.lock:
            self.stores[store.store_id] = store
        return store

    # ------------------------------------------------------------ switches

    def fail_next_session(self, reason: str = "Store Credential Error Or Store is "
                                              "De-active") -> None:
        self._next_session_failure = reason

    def refuse_next_refund(self, reason: str = "Refund amount exceeds the transaction "
                                               "amount") -> None:
        self._next_refund_refusal = reason

    def hang(self) -> None:
        """API calls and pages wait unanswered until :meth:`release` (clients time out)."""
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    def stop(self) -> None:
        self.release()
        super().stop()

    def _wait(self) -> None:
        self._released.wait(timeout=30)

    def set_risk(self, tran_id: str, level: str = "1", title: str = "Risky card") -> None:
        session = self.session_for(tran_id)
        session.risk_level, session.risk_title = level, title

    # ------------------------------------------------------------- reading

    def session_for(self, tran_id: str) -> Session:
        """The newest session opened for ``tran_id``."""
        with self.lock:
            found = [s for s in self.sessions.values() if s.tran_id == tran_id]
        assert found, f"no session for {tran_id}"
        return found[-1]

    def paths(self) -> list[str]:
        return [path for _method, path, _params in self.requests]

    # -------------------------------------------------------- the page's buttons

    def pay(self, key: str) -> Outcome:
        return self._press(key, "VALID")

    def decline(self, key: str) -> Outcome:
        return self._press(key, "FAILED")

    def cancel(self, key: str) -> Outcome:
        return self._press(key, "CANCELLED")

    def _press(self, key: str, status: str) -> Outcome:
        with self.lock:
            session = self.sessions[key]
            session.status = status
            session.tran_date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
            if status == "VALID":
                session.val_id = datetime.now(UTC).strftime("%y%m%d%H%M") + \
                    secrets.token_hex(8).upper()
                session.bank_tran_id = datetime.now(UTC).strftime("%y%m%d%H%M") + \
                    secrets.token_hex(5)
            fields = sign(session.details(), session.store.store_passwd)
        target = {"VALID": "success_url", "FAILED": "fail_url",
                  "CANCELLED": "cancel_url"}[status]
        outcome = Outcome(session.fields.get("ipn_url", ""), fields,
                          session.fields[target], fields)
        if self.send_ipns and outcome.ipn_url:
            try:
                sent = http_client.post(outcome.ipn_url, data=fields, timeout=10)
                self.ipns_sent.append((outcome.ipn_url, sent.status_code))
            except http_client.RequestException as exc:
                self.ipns_sent.append((outcome.ipn_url, type(exc).__name__))
        return outcome

    def ipn(self, tran_id: str, /, *, store_passwd: str | None = None,
            **overrides: str) -> dict[str, str]:
        """The IPN of ``tran_id``'s newest session, with ``overrides``, signed with
        ``store_passwd`` (the session's store's password unless given): a replay, or a
        forgery."""
        session = self.session_for(tran_id)
        fields = {**session.details(), **overrides}
        return sign(fields, store_passwd if store_passwd is not None
                    else session.store.store_passwd)

    # --------------------------------------------------------------- serving

    def handle(self, method: str, path: str, query: dict[str, str],
               form: dict[str, str]) -> tuple[int, str, bytes]:
        with self.lock:
            self.requests.append((method, path, {**query, **form}))
        if path == SESSION_PATH and method == "POST":
            return self._json(self._create(form))
        if path == VALIDATION_PATH and method == "GET":
            return self._json(self._validate(query))
        if path == TRANSACTION_PATH and method == "GET":
            if "refund_ref_id" in query:
                return self._json(self._refund_status(query))
            if "bank_tran_id" in query:
                return self._json(self._refund(query))
            return self._json(self._query(query))
        if path.startswith(PAGE_PREFIX):
            return self._page(method, path[len(PAGE_PREFIX):])
        return 404, "text/html", b"<h1>Not Found</h1>"

    @staticmethod
    def _json(data: dict[str, Any]) -> tuple[int, str, bytes]:
        return 200, "application/json", json.dumps(data).encode()

    def _store(self, params: dict[str, str]) -> Store | None:
        store = self.stores.get(params.get("store_id", ""))
        if store is None or not secrets.compare_digest(
                store.store_passwd, params.get("store_passwd", "")):
            return None
        return store

    def _create(self, form: dict[str, str]) -> dict[str, Any]:
        def failed(reason: str) -> dict[str, Any]:
            return {"status": "FAILED", "failedreason": reason, "sessionkey": "",
                    "gw": [], "redirectGatewayURL": "", "GatewayPageURL": ""}

        if self._next_session_failure is not None:
            reason, self._next_session_failure = self._next_session_failure, None
            return failed(reason)
        store = self._store(form)
        if store is None:
            return failed("Store Credential Error Or Store is De-active")
        missing = [name for name in REQUIRED if not form.get(name, "").strip()]
        if missing:
            return failed(f"Invalid Information! '{missing[0]}' is missing")
        try:
            amount = Decimal(form["total_amount"])
        except InvalidOperation:
            return failed("Invalid Amount")
        bdt = amount * RATES.get(form["currency"].upper(), Decimal("1"))
        if form["currency"].upper() not in RATES or not Decimal("10") <= bdt <= Decimal(
                "500000"):
            return failed("Invalid Amount")
        key = secrets.token_hex(16).upper()
        with self.lock:
            self.sessions[key] = Session(key, store, dict(form))
        return {"status": "SUCCESS", "failedreason": "", "sessionkey": key,
                "gw": {"visa": "", "master": "", "amex": "", "mobilebanking": "bkash,nagad"},
                "redirectGatewayURL": f"{self.url}/gwprocess/v4/bankgw/indexhtml.php",
                "directPaymentURLBank": "", "directPaymentURLCard": "",
                "directPaymentURL": "", "redirectGatewayURLFailed": "",
                "GatewayPageURL": f"{self.url}{PAGE_PREFIX}{key}",
                "storeBanner": "", "storeLogo": "", "desc": [],
                "is_direct_pay_enable": "0"}

    def _by_val_id(self, store: Store, val_id: str) -> Session | None:
        return next((s for s in self.sessions.values()
                     if s.val_id and s.val_id == val_id and s.store is store), None)

    def _validate(self, query: dict[str, str]) -> dict[str, Any]:
        store = self._store(query)
        if store is None:
            return {"status": "INVALID_TRANSACTION", "APIConnect": "INVALID_REQUEST"}
        with self.lock:
            session = self._by_val_id(store, query.get("val_id", ""))
            if session is None or session.status not in ("VALID", "VALIDATED"):
                return {"status": "INVALID_TRANSACTION", "APIConnect": "DONE"}
            answer = {**session.details(), "APIConnect": "DONE",
                      "validated_on": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S"),
                      "gw_version": ""}
            session.status = "VALIDATED"
        return answer

    def _query(self, query: dict[str, str]) -> dict[str, Any]:
        store = self._store(query)
        if store is None:
            return {"APIConnect": "INVALID_REQUEST", "no_of_trans_found": 0, "element": []}
        with self.lock:
            found = [{**s.details(), "APIConnect": "DONE", "validated_on": ""}
                     for s in self.sessions.values()
                     if s.store is store and s.tran_id == query.get("tran_id")]
        return {"APIConnect": "DONE", "no_of_trans_found": len(found), "element": found}

    def _refund(self, query: dict[str, str]) -> dict[str, Any]:
        store = self._store(query)
        if store is None:
            return {"APIConnect": "INVALID_REQUEST", "bank_tran_id": "", "trans_id": "",
                    "refund_ref_id": "", "status": "", "errorReason": ""}
        bank_tran_id = query.get("bank_tran_id", "")

        def answer(status: str, *, ref: str = "", tran: str = "", reason: str = ""):
            return {"APIConnect": "DONE", "bank_tran_id": bank_tran_id, "trans_id": tran,
                    "refund_ref_id": ref, "status": status, "errorReason": reason}

        with self.lock:
            session = next((s for s in self.sessions.values() if s.store is store
                            and s.bank_tran_id and s.bank_tran_id == bank_tran_id), None)
            if session is None:
                return answer("failed", reason="Invalid bank transaction ID")
            refe_id = query.get("refe_id", "")
            for done in session.refunds:
                if refe_id and done.refe_id == refe_id:
                    return answer(done.status, ref=done.ref_id, tran=session.tran_id)
            if self._next_refund_refusal is not None:
                reason, self._next_refund_refusal = self._next_refund_refusal, None
                return answer("failed", tran=session.tran_id, reason=reason)
            try:
                amount = Decimal(query.get("refund_amount", ""))
            except InvalidOperation:
                return answer("failed", tran=session.tran_id, reason="Invalid refund amount")
            left = session.currency_amount - sum(r.amount for r in session.refunds)
            if amount <= 0 or amount > left:
                return answer("failed", tran=session.tran_id,
                              reason="Refund amount exceeds the transaction amount")
            refund = Refund(secrets.token_hex(8), bank_tran_id, session.tran_id, amount,
                            refe_id)
            session.refunds.append(refund)
        return answer("success", ref=refund.ref_id, tran=session.tran_id)

    def _refund_status(self, query: dict[str, str]) -> dict[str, Any]:
        store = self._store(query)
        if store is None:
            return {"APIConnect": "INVALID_REQUEST"}
        with self.lock:
            for session in self.sessions.values():
                for refund in session.refunds:
                    if session.store is store and refund.ref_id == query.get("refund_ref_id"):
                        return {"APIConnect": "DONE", "bank_tran_id": refund.bank_tran_id,
                                "tran_id": refund.tran_id, "refund_ref_id": refund.ref_id,
                                "initiated_on": "", "refunded_on": "",
                                "status": "refunded", "errorReason": ""}
        return {"APIConnect": "DONE", "status": "failed", "errorReason": "Invalid refund ID"}

    # ---------------------------------------------------------- the hosted page

    def _page(self, method: str, rest: str) -> tuple[int, str, bytes]:
        key, _slash, action = rest.partition("/")
        session = self.sessions.get(key)
        if session is None:
            return 404, "text/html", b"<h1>Session not found</h1>"
        if method == "POST" and action in ("pay", "decline", "cancel"):
            if session.status != "PENDING":
                return 409, "text/html", b"<h1>This session is closed</h1>"
            outcome = {"pay": self.pay, "decline": self.decline,
                       "cancel": self.cancel}[action](key)
            return 200, "text/html; charset=utf-8", _autosubmit(outcome).encode()
        name = html.escape(session.fields.get("product_name", ""))
        amount = html.escape(f"{session.currency_amount:.2f} {session.currency}")
        page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>FAKE SSLCommerz payment page</title></head>
<body>
<h1 id="fake-notice">FAKE SSLCommerz payment page (a test double, not SSLCommerz)</h1>
<p>This page is a local fake of SSLCommerz's hosted payment page. No money moves.</p>
<p id="summary">{name}: <strong id="amount">{amount}</strong></p>
<form method="post" action="{PAGE_PREFIX}{key}/pay">
  <button id="pay" type="submit">Pay (success)</button></form>
<form method="post" action="{PAGE_PREFIX}{key}/decline">
  <button id="decline" type="submit">Decline</button></form>
<form method="post" action="{PAGE_PREFIX}{key}/cancel">
  <button id="cancel" type="submit">Cancel</button></form>
</body></html>"""
        return 200, "text/html; charset=utf-8", page.encode()


def _autosubmit(outcome: Outcome) -> str:
    inputs = "\n".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                       for k, v in outcome.form.items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>FAKE SSLCommerz: returning to the shop</title></head>
<body onload="document.getElementById('back').submit()">
<p>FAKE SSLCommerz: returning to the shop...</p>
<form id="back" method="post" action="{html.escape(outcome.return_url)}">
{inputs}
<noscript><button type="submit">Continue</button></noscript>
</form></body></html>"""


def main() -> None:
    """Serve the fake for a demo or a browser test, e.g. ``python -m fakes.sslcommerz_fake
    --port 8765 --store-id demostore --store-passwd demostore@ssl`` (from ``tests/``),
    then run Haat with ``HAAT_SSLCOMMERZ_API_BASE=http://127.0.0.1:8765``. IPNs are
    POSTed to the stores (their host names must resolve on this machine)."""
    import argparse
    import time

    parser = argparse.ArgumentParser(description="A FAKE of SSLCommerz (not SSLCommerz).")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--store-id", default="demostore")
    parser.add_argument("--store-passwd", default="demostore@ssl")
    args = parser.parse_args()
    fake = FakeSslcommerz()
    fake.send_ipns = True
    fake._http.address = ("127.0.0.1", args.port)
    fake.add_store("demo", store_id=args.store_id, store_passwd=args.store_passwd)
    fake.start()
    print(f"FAKE SSLCommerz on {fake.url} (store {args.store_id})", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
