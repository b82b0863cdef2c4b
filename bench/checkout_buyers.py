"""The buyers of ``bench/checkout_speed.py``: shoppers over HTTP, and the bare-SQL floor.

A :class:`Shopper` buys like a browser with a fresh cookie jar: the product page (for
the CSRF token), ``POST /cart/add``, ``GET /checkout`` (for the form's idempotency key),
``POST /checkout`` with ``action=place``, a Dhaka address and cash on delivery. Each
buyer thread keeps one keep-alive ``http.client`` connection and sends the store's
``Host`` header, so stores are routed by host as in production.

:func:`sql_order` is the least database work an order can be: one transaction with a
conditional stock ``UPDATE ... WHERE stock >= q RETURNING``, an order row and a line row
in scratch tables, commit. :func:`run_buyers` runs either kind from N threads for a
time, or until the buyers have seen the product sell out.
"""

from __future__ import annotations

import http.client
import math
import random
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import psycopg

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
RATE = re.compile(r'name="shipping_rate" value="([^"]+)"')
PAYMENT = re.compile(r'name="payment_method" value="([^"]+)"')
ORDER_URL = re.compile(r"/orders/([A-Za-z0-9_-]+)$")
# The refusals for stock, from the cart (core/cart/service.py) and the checkout
# (core/checkout/quote.py, core/checkout/placement.py), in English.
STOCK_REFUSAL = re.compile(r"sold out|Only [0-9]+ left|are left now|[0-9]+ of .+ left")
ADDRESS = {"name": "Rahim Uddin", "phone": "01712345678", "country": "BD", "region": "Dhaka",
           "city": "Dhaka", "line1": "House 12, Road 5, Dhanmondi",
           "email": "rahim@example.com"}
QUANTITIES = (1, 1, 1, 2)  # mostly one, sometimes two


class Unexpected(Exception):
    """An answer a shopper would call a bug (a 500, a lost CSRF token, ...)."""


@dataclass(frozen=True)
class Pick:
    """One order's product: its store's host name, product id and handle, quantity."""

    slug: str
    tenant_id: int
    product_id: int
    handle: str
    quantity: int
    price: int


@dataclass
class Outcome:
    """What one attempt came to: ``placed``, ``cart`` (refused for stock when adding),
    ``checkout`` (refused for stock when placing) or ``error``."""

    kind: str
    token: str = ""
    place_seconds: float = math.nan
    detail: str = ""


@dataclass
class Tally:
    """Everything the buyers of one run saw, merged from every thread."""

    placed: int = 0
    refused_cart: int = 0
    refused_checkout: int = 0
    errors: int = 0
    place_latencies: list[float] = field(default_factory=list)
    order_latencies: list[float] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)
    seconds: float = 0.0
    client_cpu: float = 0.0

    def add(self, outcome: Outcome, order_seconds: float) -> None:
        """Count one attempt that took ``order_seconds`` from start to answer."""
        if outcome.kind == "placed":
            self.placed += 1
            self.tokens.append(outcome.token)
            self.order_latencies.append(order_seconds)
            self.place_latencies.append(outcome.place_seconds)
        elif outcome.kind == "cart":
            self.refused_cart += 1
        elif outcome.kind == "checkout":
            self.refused_checkout += 1
            self.place_latencies.append(outcome.place_seconds)
        else:
            self.errors += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(outcome.detail)

    def merge(self, other: Tally) -> None:
        """Add another tally's counts and samples (``seconds`` is left alone)."""
        for name in ("placed", "refused_cart", "refused_checkout", "errors"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.place_latencies += other.place_latencies
        self.order_latencies += other.order_latencies
        self.tokens += other.tokens
        self.error_samples += other.error_samples[:5 - len(self.error_samples)]

    def summary(self) -> dict[str, Any]:
        """Rates per second and latency percentiles in milliseconds."""
        per_second = (lambda n: n / self.seconds) if self.seconds else (lambda n: math.nan)
        return {"placed": self.placed, "refused_cart": self.refused_cart,
                "refused_checkout": self.refused_checkout, "errors": self.errors,
                "seconds": round(self.seconds, 3),
                "placed_per_s": per_second(self.placed),
                "refused_per_s": per_second(self.refused_cart + self.refused_checkout),
                "place_p50_ms": percentile(self.place_latencies, 50),
                "place_p95_ms": percentile(self.place_latencies, 95),
                "order_p50_ms": percentile(self.order_latencies, 50),
                "order_p95_ms": percentile(self.order_latencies, 95),
                "client_cpu": self.client_cpu}


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile of ``values`` (seconds) in milliseconds; NaN when empty."""
    ordered = sorted(v for v in values if not math.isnan(v))
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


# ------------------------------------------------------------------------ HTTP shopper


class Shopper:
    """One buyer thread's browser: a keep-alive connection; a new cookie jar per order."""

    def __init__(self, port: int, rate_id: str, gateway: str = "cod") -> None:
        self.port = port
        self.rate_id = rate_id
        self.gateway = gateway
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.jar: dict[str, str] = {}
        self.host = ""

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def request(self, method: str, path: str,
                form: dict[str, str] | None = None) -> tuple[int, str, str]:
        """Send one request with the jar's cookies; returns status, Location and body."""
        headers = {"Host": self.host}
        if self.jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.conn.close()  # the next request reconnects
            raise Unexpected(f"{method} {path}: {error!r}") from error
        for line in response.msg.get_all("Set-Cookie") or ():
            name, _, value = line.split(";", 1)[0].partition("=")
            self.jar[name.strip()] = value.strip()
        return response.status, response.getheader("Location", ""), text

    def start(self, pick: Pick) -> str:
        """A new visitor on ``pick``'s product page; returns the page's CSRF token."""
        self.jar = {}
        self.host = f"{pick.slug}.localhost:{self.port}"
        status, _, page = self.request("GET", f"/products/{pick.handle}")
        token = CSRF.search(page)
        if status != 200 or token is None:
            raise Unexpected(f"GET /products/{pick.handle} on {pick.slug}: {status}, "
                             f"CSRF token {'found' if token else 'missing'}")
        return token.group(1)

    def add_to_cart(self, pick: Pick, csrf: str) -> bool:
        """Add the product; False when the store refuses it for stock."""
        status, _, page = self.request("POST", "/cart/add", {
            "csrf_token": csrf, "product_id": str(pick.product_id),
            "quantity": str(pick.quantity)})
        if status == 303:
            return True
        if status == 422 and STOCK_REFUSAL.search(page):
            return False
        raise Unexpected(f"POST /cart/add on {pick.slug}: {status} {snippet(page)}")

    def checkout_page(self, pick: Pick) -> str:
        """Open the checkout; returns its one-time idempotency key."""
        status, _, page = self.request("GET", "/checkout")
        key = KEY.search(page)
        if status != 200 or key is None:
            raise Unexpected(f"GET /checkout on {pick.slug}: {status} {snippet(page)}")
        return key.group(1)

    def place(self, pick: Pick, csrf: str, key: str) -> Outcome:
        """Place the order; a 303 to ``/orders/<token>`` is an order."""
        form = {**ADDRESS, "csrf_token": csrf, "idempotency_key": key, "action": "place",
                "shipping_rate": self.rate_id, "payment_method": self.gateway}
        began = time.perf_counter()
        status, location, page = self.request("POST", "/checkout", form)
        took = time.perf_counter() - began
        found = ORDER_URL.search(location)
        if status == 303 and found:
            return Outcome("placed", token=found.group(1), place_seconds=took)
        if status == 422 and STOCK_REFUSAL.search(page):
            return Outcome("checkout", place_seconds=took)
        raise Unexpected(f"POST /checkout on {pick.slug}: {status} {location} "
                         f"{snippet(page)}")

    def buy(self, pick: Pick) -> Outcome:
        """The whole visit, from product page to placed order (or refusal)."""
        try:
            csrf = self.start(pick)
            if not self.add_to_cart(pick, csrf):
                return Outcome("cart")
            key = self.checkout_page(pick)
            return self.place(pick, csrf, key)
        except Unexpected as error:
            return Outcome("error", detail=str(error))

    def discover(self, pick: Pick) -> tuple[list[str], list[str]]:
        """The shipping rates and payment methods the checkout offers a Dhaka address
        (an "Update" post; nothing is placed)."""
        csrf = self.start(pick)
        if not self.add_to_cart(pick, csrf):
            raise Unexpected(f"{pick.handle} on {pick.slug} is sold out already")
        key = self.checkout_page(pick)
        status, _, page = self.request("POST", "/checkout", {
            **ADDRESS, "csrf_token": csrf, "idempotency_key": key})
        if status != 200:
            raise Unexpected(f"POST /checkout (update) on {pick.slug}: {status} "
                             f"{snippet(page)}")
        return RATE.findall(page), PAYMENT.findall(page)


def snippet(page: str) -> str:
    """The first field error of a page, else its start, for error messages."""
    error = re.search(r'class="field-error"[^>]*>([^<]+)<', page)
    text = error.group(1) if error else re.sub(r"\s+", " ", page)[:160]
    return text.strip()


# ------------------------------------------------------------------------ bare SQL


SQL_TAKE = ("UPDATE bench_ref_stock SET stock = stock - %s WHERE id = %s AND stock >= %s "
            "RETURNING stock")
SQL_ORDER = ("INSERT INTO bench_ref_orders (tenant_id, token, total) VALUES (%s, %s, %s) "
             "RETURNING id")
SQL_LINE = ("INSERT INTO bench_ref_lines (order_id, product_id, quantity, unit_price) "
            "VALUES (%s, %s, %s, %s)")


def sql_order(conn: psycopg.Connection[Any], pick: Pick) -> Outcome:
    """One order as bare SQL in one transaction; ``checkout`` when stock is short."""
    began = time.perf_counter()
    try:
        with conn.cursor() as cur:
            if cur.execute(SQL_TAKE, (pick.quantity, pick.product_id,
                                      pick.quantity)).fetchone() is None:
                conn.rollback()
                return Outcome("checkout", place_seconds=time.perf_counter() - began)
            total = pick.price * pick.quantity
            order = cur.execute(SQL_ORDER, (pick.tenant_id, secrets.token_urlsafe(24),
                                            total)).fetchone()
            assert order is not None
            cur.execute(SQL_LINE, (order[0], pick.product_id, pick.quantity, pick.price))
        conn.commit()
    except psycopg.Error as error:
        conn.rollback()
        return Outcome("error", detail=f"bare SQL: {error!r}")
    return Outcome("placed", token=str(order[0]), place_seconds=time.perf_counter() - began)


# ------------------------------------------------------------------------ the run


def run_buyers(buyers: int, make: Callable[[], Any], buy: Callable[[Any, Pick], Outcome],
               pick: Callable[[random.Random], Pick], close: Callable[[Any], None], *,
               seconds: float | None = None, until_sold_out: bool = False,
               seed: int = 0, limit: float = 300) -> Tally:
    """Run ``buyers`` threads, each with its own ``make()`` client, buying ``pick``s.

    Stops after ``seconds``, or with ``until_sold_out`` once every buyer has been
    refused for stock (the product is gone for good: nobody restocks during a run);
    ``limit`` seconds at most either way.
    """
    lock = threading.Lock()
    total = Tally()
    start = threading.Barrier(buyers + 1)
    deadline = [math.inf]

    clients = [make() for _ in range(buyers)]  # here, so a failure cannot hang the start

    def worker(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        client = clients[number]
        mine = Tally()
        try:
            start.wait()
            while time.perf_counter() < deadline[0]:
                began = time.perf_counter()
                outcome = buy(client, pick(rng))
                mine.add(outcome, time.perf_counter() - began)
                if until_sold_out and outcome.kind in ("cart", "checkout"):
                    break
        finally:
            close(client)
            with lock:
                total.merge(mine)

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(buyers)]
    for thread in threads:
        thread.start()
    began, cpu = time.perf_counter(), time.process_time()
    deadline[0] = began + min(seconds if seconds is not None else math.inf, limit)
    start.wait()
    for thread in threads:
        thread.join()
    total.seconds = time.perf_counter() - began
    total.client_cpu = (time.process_time() - cpu) / total.seconds
    return total
