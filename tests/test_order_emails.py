"""Order emails: what a shopper receives when an order is placed, paid and shipped.

Emails are triggered the way the app triggers them (``core.orders.service`` inside an
app context, then a commit; leaving the context delivers the queued job, which runs
at once under ``HAAT_JOBS=immediate``) and read back from the outbox folder as
``.eml`` files, or from a small in-process SMTP server.
"""

from __future__ import annotations

import base64
import email
import email.policy
import logging
import secrets
import socket
import socketserver
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from conftest import read_outbox
from core.db import db
from core.mail import (
    MailConfigError,
    OutboxMailer,
    SmtpMailer,
    build_message,
    mailer_from_config,
    sender_address,
)
from core.messaging.service import deliver_message
from core.orders import service
from core.orders.models import Order, OrderEvent, OrderLine
from core.orders.numbering import next_order_number
from core.pluginhost.web import plugins_for_tenant
from tenants import Tenant, tenant_scope

SHOPPER = "asha@example.com"


# --------------------------------------------------------------------------- helpers


@pytest.fixture
def outbox(outbox: Path, app: Flask, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The suite's outbox folder (conftest), with the platform's own sender address."""
    monkeypatch.setitem(app.config, "HAAT_MAIL_FROM", "Haat <no-reply@haat.example>")
    return outbox


def bodies(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML parts, decoded."""
    return (message.get_body(preferencelist=("plain",)).get_content(),
            message.get_body(preferencelist=("html",)).get_content())


def place_order(app: Flask, tenant: Tenant, *, email: str = SHOPPER, locale: str = "",
                lines: tuple[tuple[str, str, int, int], ...] = (("Nakshi Kantha", "Blue", 2,
                                                                  125000),),
                **fields: Any) -> int:
    """An order written straight to the database, as checkout leaves it."""
    with app.app_context(), tenant_scope(tenant.id):
        subtotal = sum(quantity * price for _, _, quantity, price in lines)
        values: dict[str, Any] = {
            "number": next_order_number(), "token": secrets.token_urlsafe(16),
            "idempotency_key": secrets.token_hex(8), "email": email, "locale": locale,
            "currency": tenant.currency, "subtotal": subtotal, "shipping_total": 6000,
            "shipping_label": "Inside Dhaka", "payment_method": "cash-on-delivery",
            "payment_label": "Cash on delivery",
            "payment_instructions": "Pay the courier in cash when the parcel arrives.",
            "shipping_address": {"name": "Asha Rahman", "line1": "12 Lake Road",
                                 "city": "Dhaka", "postcode": "1207", "country": "BD",
                                 "phone": "+8801700000000"},
            "created_at": datetime(2026, 3, 14, 10, 0, tzinfo=UTC),
        }
        values.update(fields)
        values.setdefault("total", subtotal + values["shipping_total"]
                          + values.get("discount_total", 0) + values.get("fee_total", 0)
                          + values.get("tax_total", 0))
        order = Order(**values)
        for title, variant, quantity, price in lines:
            order.lines.append(OrderLine(title=title, variant_title=variant, quantity=quantity,
                                         unit_price=price, line_total=quantity * price))
        db.session.add(order)
        db.session.commit()
        return order.id


def act(app: Flask, tenant: Tenant, order_id: int, action: Callable[[Order], object],
        *, commit: bool = True) -> None:
    """Run a service action on the order in a unit of work, as a view would; leaving
    the app context delivers what the commit queued."""
    with app.app_context(), tenant_scope(tenant.id):
        action(db.session.get(Order, order_id))
        if commit:
            db.session.commit()
        else:
            db.session.rollback()


def timeline(app: Flask, tenant: Tenant, order_id: int) -> list[tuple[str, str]]:
    with app.app_context(), tenant_scope(tenant.id):
        return [(e.kind, e.message) for e in db.session.scalars(
            select(OrderEvent).where(OrderEvent.order_id == order_id).order_by(OrderEvent.id))]


def mark_paid(order: Order) -> None:
    service.mark_paid(order, "staff@x")


# ----------------------------------------------------------------- what is sent


def test_paid_email_is_in_the_order_locale_from_the_store(app, make_store, outbox):
    shop = make_store("dhaka-crafts", name="Dhaka Crafts", locale="bn", currency="BDT",
                      bengali_digits=True, email="hello@dhaka-crafts.example")
    order_id = place_order(app, shop, locale="bn")

    act(app, shop, order_id, mark_paid)

    [message] = read_outbox(outbox)
    assert message["Subject"] == "অর্ডার #1001-এর পেমেন্ট পাওয়া গেছে"
    assert message["From"].addresses[0].display_name == "Dhaka Crafts"
    assert message["From"].addresses[0].addr_spec == "no-reply@haat.example"
    assert message["To"].addresses[0].addr_spec == SHOPPER
    assert message["To"].addresses[0].display_name == "Asha Rahman"
    assert message["Reply-To"].addresses[0].addr_spec == "hello@dhaka-crafts.example"
    text, html = bodies(message)
    with app.app_context(), tenant_scope(shop.id):
        token = db.session.get(Order, order_id).token
    for body in (text, html):
        assert "২,৫০০.০০৳" in body  # the line: 2 x 1,250.00, in the store's Bengali digits
        assert "২,৫৬০.০০৳" in body  # the total, with 60.00 shipping
        assert "মোট" in body
        assert f"http://dhaka-crafts.localhost/orders/{token}" in body
    assert f'href="http://dhaka-crafts.localhost/orders/{token}"' in html
    assert '<html lang="bn">' in html
    assert ("email_sent", f"Sent the paid email to {SHOPPER}") in timeline(app, shop, order_id)
    assert [p.name for p in outbox.iterdir() if not p.name.endswith(".eml")] == []


def test_confirmation_shows_the_lines_amounts_address_and_how_to_pay(app, make_store,
                                                                      outbox):
    shop = make_store("lake-shop", name="Lake Shop", currency="USD")
    order_id = place_order(
        app, shop, lines=(("Jute bag", "Large", 2, 1250), ("Clay cup", "", 1, 500)),
        shipping_total=300, discount_total=-200, coupon_code="SPRING", fee_total=50,
        tax_total=125)

    act(app, shop, order_id, lambda order: service.queue_messages(order, "order_placed"))

    [message] = read_outbox(outbox)
    assert message["Subject"] == "Thank you for your order #1001"
    text, html = bodies(message)
    for body in (text, html):
        for expected in ("Jute bag", "Large", "Clay cup", "$12.50", "$25.00", "$5.00",
                         "Subtotal", "$30.00", "Discount (SPRING)", "-$2.00",
                         "Shipping (Inside Dhaka)", "$3.00", "Fees", "$0.50", "Tax", "$1.25",
                         "Total", "$32.75", "Asha Rahman", "12 Lake Road", "Dhaka 1207",
                         "Bangladesh", "Cash on delivery", "How to pay",
                         "Pay the courier in cash when the parcel arrives.",
                         "Order #1001", "March 14, 2026"):
            assert expected in body, expected
    assert "2 × $12.50 = $25.00" in text
    assert ("email_sent", f"Sent the confirmation email to {SHOPPER}") in timeline(
        app, shop, order_id)


def test_paid_email_leaves_out_how_to_pay(app, make_store, outbox):
    shop = make_store("lake-shop", currency="USD")
    order_id = place_order(app, shop)

    act(app, shop, order_id, mark_paid)

    [message] = read_outbox(outbox)
    text, html = bodies(message)
    assert "Payment received" in text
    assert "Pay the courier" not in text + html
    assert "How to pay" not in text + html


def test_links_carry_the_public_port_when_one_is_set(app, make_store, outbox, monkeypatch):
    """Under `make run` stores answer on :8000; the email is sent by a job, outside any
    request, so the port comes from HAAT_PUBLIC_PORT or the link would not open."""
    monkeypatch.setitem(app.config, "HAAT_PUBLIC_PORT", "8000")
    shop = make_store("port-shop", currency="BDT")
    order_id = place_order(app, shop)
    act(app, shop, order_id, mark_paid)
    [message] = read_outbox(outbox)
    text, html = bodies(message)
    with app.app_context(), tenant_scope(shop.id):
        token = db.session.get(Order, order_id).token
    assert f"http://port-shop.localhost:8000/orders/{token}" in text
    assert f'href="http://port-shop.localhost:8000/orders/{token}"' in html


@pytest.mark.parametrize(("state", "promise"), [("unfulfilled", True), ("shipped", False),
                                                ("delivered", False)])
def test_the_paid_email_promises_shipping_news_only_before_shipping(app, make_store, outbox,
                                                                    state, promise):
    """Cash on delivery is marked paid when the courier brings the cash back, after the
    parcel arrived: that email thanks the shopper instead."""
    shop = make_store(f"paid-{state}", currency="BDT")
    order_id = place_order(app, shop, fulfilment_state=state)
    act(app, shop, order_id, mark_paid)
    [message] = read_outbox(outbox)
    text, html = bodies(message)
    for body in (text, html):
        assert ("We will let you know when it ships." in body) is promise
        assert ("Thank you!" in body) is not promise


def test_shipped_email_has_the_carrier_and_tracking_link(app, make_store, outbox):
    shop = make_store("yerevan-goods", name="Yerevan Goods", locale="hy", currency="AMD")
    order_id = place_order(app, shop, locale="hy")

    act(app, shop, order_id, lambda order: service.ship(
        order, "staff@x", "HayPost", "RR123456789AM", "https://track.example/RR123456789AM"))

    [message] = read_outbox(outbox)
    assert message["Subject"] == "Ձեր #1001 պատվերը ճանապարհին է"
    text, html = bodies(message)
    assert "HayPost" in text and "HayPost" in html
    assert "RR123456789AM" in text and "RR123456789AM" in html
    assert "https://track.example/RR123456789AM" in text
    assert 'href="https://track.example/RR123456789AM"' in html
    assert "2\N{NO-BREAK SPACE}500,00\N{NO-BREAK SPACE}֏" in text  # 2 x 1 250,00 ֏ in hy


def test_a_tracking_link_that_is_not_http_is_left_out(app, make_store, outbox):
    shop = make_store("lake-shop", currency="USD")
    order_id = place_order(app, shop, fulfilment_state="shipped", carrier="Pathao",
                           tracking_number="PX-1", tracking_url="javascript:alert(1)")

    act(app, shop, order_id, lambda order: service.queue_messages(order, "order_shipped"))

    [message] = read_outbox(outbox)
    text, html = bodies(message)
    assert "PX-1" in text and "PX-1" in html
    assert "javascript" not in text + html
    assert "Track your parcel" not in text + html


def test_html_escapes_what_the_shop_and_shopper_typed(app, make_store, outbox):
    shop = make_store("lake-shop", name="Lake & <b>Shop</b>", currency="USD")
    order_id = place_order(app, shop, lines=(("<script>alert('x')</script>", "", 1, 1000),),
                           payment_instructions="Send to <img src=x onerror=alert(1)>")

    act(app, shop, order_id, lambda order: service.queue_messages(order, "order_placed"))

    [message] = read_outbox(outbox)
    text, html = bodies(message)
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Lake &amp; &lt;b&gt;Shop&lt;/b&gt;" in html
    assert "<script>alert('x')</script>" in text  # plain text shows it as typed
    assert message["From"].addresses[0].display_name == "Lake & <b>Shop</b>"


# ------------------------------------------------------------ what is not sent


def test_a_rolled_back_change_sends_nothing(app, make_store, outbox):
    shop = make_store("lake-shop", currency="USD")
    order_id = place_order(app, shop)

    act(app, shop, order_id, mark_paid, commit=False)

    assert read_outbox(outbox) == []
    assert all(kind != "email_sent" for kind, _ in timeline(app, shop, order_id))


def test_an_order_without_an_email_address_sends_nothing(app, make_store, outbox):
    shop = make_store("lake-shop", currency="USD")
    order_id = place_order(app, shop, email="")

    act(app, shop, order_id, mark_paid)
    # The address can also be gone by the time the job runs.
    with app.app_context(), tenant_scope(shop.id):
        deliver_message(plugins_for_tenant(shop.id).info, f"order:{order_id}:order_paid:email")
        db.session.commit()

    assert read_outbox(outbox) == []
    assert all(kind != "email_sent" for kind, _ in timeline(app, shop, order_id))


def test_a_malformed_address_is_noted_on_the_timeline_and_not_sent(app, make_store, outbox):
    shop = make_store("lake-shop", currency="USD")
    order_id = place_order(app, shop, email="asha at example dot com")

    act(app, shop, order_id, mark_paid)

    assert read_outbox(outbox) == []
    [(kind, message)] = [e for e in timeline(app, shop, order_id) if e[0].startswith("email")]
    assert kind == "email_failed"
    assert "asha at example dot com" in message


def test_a_store_email_never_shows_another_store(app, make_store, outbox):
    alpha = make_store("alpha-shop", name="Alpha Shop", currency="USD")
    beta = make_store("beta-shop", name="Beta Shop", currency="USD")
    alpha_order = place_order(app, alpha, lines=(("Alpha lamp", "", 1, 1000),))
    beta_order = place_order(app, beta, email="bina@example.com",
                             lines=(("Beta kettle", "", 1, 9999),))

    act(app, alpha, alpha_order, mark_paid)
    # A job for Alpha that names Beta's order finds nothing and sends nothing.
    with app.app_context(), tenant_scope(alpha.id):
        deliver_message(plugins_for_tenant(alpha.id).info, f"order:{beta_order}:order_paid:email")
        db.session.commit()

    [message] = read_outbox(outbox)
    raw = message.as_string()
    text, html = bodies(message)
    assert message["To"].addresses[0].addr_spec == SHOPPER
    assert "Alpha lamp" in text and "http://alpha-shop.localhost/orders/" in text
    for other in ("Beta Shop", "Beta kettle", "bina@example.com", "beta-shop", "$99.99"):
        assert other not in raw + text + html
    assert all(kind != "email_sent" for kind, _ in timeline(app, beta, beta_order))


# ------------------------------------------------------------------- the mailers


def test_the_mailer_comes_from_the_configuration(tmp_path):
    base = {"HAAT_INSTANCE_DIR": str(tmp_path)}
    assert mailer_from_config(base) == OutboxMailer(tmp_path / "outbox")
    assert mailer_from_config({**base, "HAAT_OUTBOX_DIR": str(tmp_path / "mail")}) == \
        OutboxMailer(tmp_path / "mail")
    smtp = mailer_from_config({**base, "HAAT_MAIL": "smtp", "HAAT_SMTP_TIMEOUT": 5,
                               "HAAT_SMTP_URL": "smtp://apikey:s3cr%40t@mail.example"})
    assert smtp == SmtpMailer(host="mail.example", port=587, username="apikey",
                              password="s3cr@t", timeout=5)
    assert "s3cr" not in repr(smtp)
    implicit = SmtpMailer.from_url("smtps://mail.example")
    assert (implicit.port, implicit.implicit_tls, implicit.username) == (465, True, "")


@pytest.mark.parametrize(("settings", "complaint"), [
    ({"HAAT_MAIL": "pigeon"}, "HAAT_MAIL must be 'outbox' or 'smtp'"),
    ({"HAAT_MAIL": "smtp"}, "needs HAAT_SMTP_URL"),
    ({"HAAT_MAIL": "smtp", "HAAT_SMTP_URL": "http://u:hunter2@mail.example"}, "smtp://"),
    ({"HAAT_MAIL": "smtp", "HAAT_SMTP_URL": "smtp://u:hunter2@mail.example:99999"}, "smtp://"),
])
def test_bad_mail_settings_are_explained_without_the_password(tmp_path, settings, complaint):
    with pytest.raises(MailConfigError) as caught:
        mailer_from_config({"HAAT_INSTANCE_DIR": str(tmp_path), **settings})
    assert complaint in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_the_sender_shows_the_store_name_with_the_platform_address():
    config = {"HAAT_MAIL_FROM": "Haat <no-reply@haat.example>"}
    message = build_message(subject="Hi\nthere", sender=sender_address("ঢাকা, Crafts", config),
                            to=sender_address("Asha", {"HAAT_MAIL_FROM": "a@example.com"}),
                            text="Hello")
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert parsed["From"].addresses[0].display_name == "ঢাকা, Crafts"
    assert parsed["From"].addresses[0].addr_spec == "no-reply@haat.example"
    assert parsed["Subject"] == "Hi there"
    assert parsed["Message-ID"].endswith("@haat.example>")
    with pytest.raises(MailConfigError, match="HAAT_MAIL_FROM"):
        sender_address("Shop", {"HAAT_MAIL_FROM": "nobody"})


def test_the_outbox_leaves_no_partial_file_when_writing_fails(tmp_path):
    message = build_message(subject="Hi", sender=sender_address("Shop", {}),
                            to=sender_address("Asha", {"HAAT_MAIL_FROM": "a@example.com"}),
                            text="Hello")

    def broken() -> bytes:
        raise OSError("disk full")

    message.as_bytes = broken  # type: ignore[method-assign]
    with pytest.raises(OSError, match="disk full"):
        OutboxMailer(tmp_path).send(message)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------- SMTP, end to end


@dataclass
class SmtpStub:
    """An in-process SMTP server that speaks just enough ESMTP for ``smtplib``."""

    context: ssl.SSLContext
    implicit_tls: bool = False
    offer_starttls: bool = True
    refuse: frozenset[str] = frozenset()
    port: int = 0
    logins: list[tuple[str, str, bool]] = field(default_factory=list)
    received: list[tuple[str, list[str], bytes, bool]] = field(default_factory=list)

    def serve(self, conn: socket.socket) -> None:
        secure = self.implicit_tls
        if secure:
            conn = self.context.wrap_socket(conn, server_side=True)
        reader = conn.makefile("rb")

        def reply(text: str) -> None:
            conn.sendall(text.encode() + b"\r\n")

        reply("220 stub ESMTP")
        sender, recipients = "", []
        while line := reader.readline():
            command = line.decode().rstrip("\r\n")
            verb, _, argument = command.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                offers = ["stub", "8BITMIME", "AUTH PLAIN"]
                if self.offer_starttls and not secure:
                    offers.append("STARTTLS")
                reply("\r\n".join(f"250-{o}" for o in offers[:-1]) + f"\r\n250 {offers[-1]}")
            elif verb == "STARTTLS" and self.offer_starttls:
                reply("220 go ahead")
                conn = self.context.wrap_socket(conn, server_side=True)
                reader, secure = conn.makefile("rb"), True
            elif verb == "AUTH":
                _, user, password = base64.b64decode(argument.split()[1]).decode().split("\0")
                self.logins.append((user, password, secure))
                reply("235 ok")
            elif verb == "MAIL":
                sender, recipients = argument.split(":", 1)[1].split()[0].strip("<>"), []
                reply("250 ok")
            elif verb == "RCPT":
                address = argument.split(":", 1)[1].strip().strip("<>")
                if address in self.refuse:
                    reply("550 5.1.1 no such mailbox")
                else:
                    recipients.append(address)
                    reply("250 ok")
            elif verb == "DATA":
                reply("354 end with a dot")
                data = b""
                while (chunk := reader.readline()) != b".\r\n":
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.received.append((sender, recipients, data, secure))
                reply("250 queued")
            elif verb == "QUIT":
                reply("221 bye")
                return
            else:
                reply("250 ok" if verb in ("RSET", "NOOP") else "502 not here")


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (and its key)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "haat test smtp")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def smtp_server(tls_files, monkeypatch) -> Iterator[Callable[..., SmtpStub]]:
    """``smtp_server(implicit_tls=..., refuse=...)`` starts a stub on 127.0.0.1 whose
    certificate the client trusts (through ``SSL_CERT_FILE``, as OpenSSL reads it)."""
    cert_path, key_path = tls_files
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))
    servers: list[socketserver.TCPServer] = []

    def start(**options: Any) -> SmtpStub:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert_path, key_path)
        stub = SmtpStub(context=context, **options)

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                stub.serve(self.request)

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        stub.port = server.server_address[1]
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return stub

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def use_smtp(app: Flask, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setitem(app.config, "HAAT_MAIL", "smtp")
    monkeypatch.setitem(app.config, "HAAT_SMTP_URL", url)
    monkeypatch.setitem(app.config, "HAAT_SMTP_TIMEOUT", 5)
    monkeypatch.setitem(app.config, "HAAT_MAIL_FROM", "Haat <no-reply@haat.example>")


@pytest.mark.parametrize("scheme", ["smtp", "smtps"])
def test_smtp_sends_over_tls_and_logs_no_password(app, make_store, smtp_server, monkeypatch,
                                                   caplog, scheme):
    server = smtp_server(implicit_tls=scheme == "smtps")
    use_smtp(app, monkeypatch, f"{scheme}://mailer:p%40ss-hunter2@127.0.0.1:{server.port}")
    shop = make_store("lake-shop", name="Lake Shop", currency="USD")
    order_id = place_order(app, shop)

    # Alembic's fileConfig (run by the app fixture) disables loggers that existed before.
    monkeypatch.setattr(logging.getLogger("haat.mail"), "disabled", False)
    with caplog.at_level(logging.DEBUG):
        act(app, shop, order_id, mark_paid)

    assert server.logins == [("mailer", "p@ss-hunter2", True)]
    [(sender, recipients, data, secure)] = server.received
    assert (sender, recipients, secure) == ("no-reply@haat.example", [SHOPPER], True)
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert message["Subject"] == "Payment received for order #1001"
    assert message["From"].addresses[0].display_name == "Lake Shop"
    assert "127.0.0.1" in caplog.text
    assert "hunter2" not in caplog.text
    assert ("email_sent", f"Sent the paid email to {SHOPPER}") in timeline(app, shop, order_id)


def test_smtp_refuses_a_server_without_starttls(smtp_server):
    import smtplib

    server = smtp_server(offer_starttls=False)
    message = build_message(subject="Hi", sender=sender_address("Shop", {}),
                            to=sender_address("Asha", {"HAAT_MAIL_FROM": SHOPPER}), text="Hi")

    with pytest.raises(smtplib.SMTPNotSupportedError):
        SmtpMailer.from_url(f"smtp://mailer:secret@127.0.0.1:{server.port}").send(message)
    assert server.logins == [] and server.received == []


def test_a_refused_recipient_is_noted_and_not_retried(app, make_store, smtp_server,
                                                      monkeypatch):
    server = smtp_server(refuse=frozenset({"gone@example.com"}))
    use_smtp(app, monkeypatch, f"smtp://127.0.0.1:{server.port}")
    shop = make_store("lake-shop", currency="USD")
    order_id = place_order(app, shop, email="gone@example.com")

    act(app, shop, order_id, mark_paid)

    assert server.received == []
    [(kind, message)] = [e for e in timeline(app, shop, order_id) if e[0].startswith("email")]
    assert kind == "email_failed"
    assert "gone@example.com" in message and "550" in message
