"""The SMS gateway plugins: ``sms-twilio`` (plugins/sms_twilio) and ``sms-sslwireless``
(plugins/sms_sslwireless), through their hook and gateways, with the real ``requests``.

The services are played by local fakes (``tests/fakes/twilio_fake.py``,
``tests/fakes/sslwireless_fake.py``). Every test that takes ``api`` runs once per
provider on its fake, and once more per provider against the real service when its
environment variables are set (otherwise that run is skipped):

* Twilio: ``HAAT_TWILIO_TEST_ACCOUNT_SID``, ``HAAT_TWILIO_TEST_AUTH_TOKEN`` and
  ``HAAT_TWILIO_TEST_TO`` (a number that may receive texts); optionally
  ``HAAT_TWILIO_TEST_FROM`` (default ``+15005550006``, Twilio's "valid sender" number
  for test credentials) and ``HAAT_TWILIO_TEST_BAD_TO`` (default ``+15005550001``,
  Twilio's "invalid number"). With Twilio's *test* credentials nothing is sent or
  billed.
* SSL Wireless: ``HAAT_SSLWIRELESS_TEST_API_TOKEN``, ``HAAT_SSLWIRELESS_TEST_SID`` and
  ``HAAT_SSLWIRELESS_TEST_TO`` (``+8801...``); optionally
  ``HAAT_SSLWIRELESS_TEST_API_BASE`` (the domain SSL gave you). Real texts are sent and
  billed, and the server's IP must be whitelisted by SSL.

Tests that need a fake's switches (fail the next request, hang, drop, a second account)
skip on the real services. The hook and tenant-isolation tests use Haat's own test kit
(``haat_store``, ``haat_enable_plugin``) on the fakes.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import Any

import pytest
from fakes.sslwireless_fake import FakeSslWireless
from fakes.twilio_fake import FakeTwilio

from core.sdk import FieldError, Money, SmsGateway, SmsMessage, SmsNotSent, StoreInfo
from core.testing import assert_translated
from plugins.sms_sslwireless import config as ssl_config
from plugins.sms_sslwireless import gateway as ssl_api
from plugins.sms_sslwireless import plugin as ssl_plugin
from plugins.sms_twilio import config as twilio_config
from plugins.sms_twilio import gateway as twilio_api
from plugins.sms_twilio import plugin as twilio_plugin

TWILIO = twilio_config.PLUGIN
SSL = ssl_config.PLUGIN
PLUGINS: dict[str, ModuleType] = {TWILIO: twilio_plugin, SSL: ssl_plugin}

ENGLISH = "Your order #1024 has shipped. Thank you for shopping with Dhaka Crafts!"
BENGALI = "আপনার অর্ডার #১০২৪ পাঠানো হয়েছে। ধন্যবাদ!"
SHORT_TIMEOUT = 0.3


# --------------------------------------------------------------------------- helpers


def sms(to: str, text: str = ENGLISH, *, sender_id: str = "",
        reference: str = "") -> SmsMessage:
    """A message as core hands it over (a fresh reference, unique across test runs)."""
    unicode = any(ord(c) > 0x7F for c in text)
    per_part = 70 if unicode else 160
    return SmsMessage(to=to, text=text, unicode=unicode,
                      parts=max(1, -(-len(text) // per_part)),
                      reference=reference or f"haat-9-{uuid.uuid4().hex[:12]}",
                      sender_id=sender_id)


def store_info(plugin: str, settings: dict[str, Any], *, store_id: int = 1,
               currency: str = "BDT") -> StoreInfo:
    """The ``StoreInfo`` a hook gets for a store with ``plugin`` set up with ``settings``."""
    return StoreInfo(id=store_id, slug=f"shop-{store_id}", name=f"Shop {store_id}",
                     locale="bn", currency=currency, base_url=f"http://shop-{store_id}.localhost/",
                     enabled_plugins=frozenset({plugin}),
                     _settings_loader=lambda name: dict(settings) if name == plugin else {})


def closed_port_url() -> str:
    """An address where nothing listens: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@dataclass
class Creds:
    """One account's settings as the store keeps them (secrets included)."""

    settings: dict[str, Any]
    secret: str
    account: Any = None  # the fake's account, when on a fake


@dataclass
class Api:
    """One provider's API: its fake, or the real service."""

    plugin: str
    kind: str
    a: Creds
    to: str
    bad_to: str = ""
    b: Creds | None = None
    fake: Any = None
    env: str = ""
    caplog: pytest.LogCaptureFixture | None = field(default=None, repr=False)

    @property
    def twilio(self) -> bool:
        return self.plugin == TWILIO

    def gateway(self, creds: Creds | None = None, *, timeout: float | None = None,
                **overrides: Any) -> Any:
        """The gateway the plugin's hook offers a store with these credentials."""
        settings = {**(creds or self.a).settings, **overrides}
        offered = PLUGINS[self.plugin].haat_sms_gateways(store_info(self.plugin, settings))
        assert len(offered) == 1, offered
        gateway = offered[0]
        return replace(gateway, timeout=timeout) if timeout is not None else gateway

    def message(self, gateway: Any, text: str = ENGLISH, **kwargs: Any) -> SmsMessage:
        """A message to the test number, with the sender core takes from the gateway."""
        kwargs.setdefault("sender_id", getattr(gateway, "sender_id", ""))
        return sms(kwargs.pop("to", self.to), text, **kwargs)

    def needs_fake(self) -> Any:
        if self.fake is None:
            pytest.skip("needs the fake's switches (the real service cannot be made to fail)")
        return self.fake

    def sent(self, creds: Creds | None = None) -> list[Any]:
        return self.needs_fake().messages((creds or self.a).account)

    def refused(self, gateway: Any, message: SmsMessage) -> SmsNotSent:
        """Send ``message``, expect ``SmsNotSent``, and check it gives no secret away."""
        with pytest.raises(SmsNotSent) as raised:
            gateway.send_sms(message)
        self.check_no_secrets(raised.value.reason, str(raised.value))
        return raised.value

    def check_no_secrets(self, *texts: str) -> None:
        secrets = [c.secret for c in (self.a, self.b) if c is not None]
        logged = self.caplog.text if self.caplog is not None else ""
        for secret in secrets:
            for text in (*texts, logged):
                assert secret not in text


# ----------------------------------------------------------------- the two providers


def _twilio_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    with FakeTwilio() as fake:
        monkeypatch.setenv(twilio_api.ENV_API_BASE, fake.url)
        a, b = fake.add_account(), fake.add_account(numbers=("+15017122661",))

        def creds(account: Any, sender: str) -> Creds:
            return Creds({"account_sid": account.sid, "auth_token": account.auth_token,
                          "sender": sender, "cost_per_part": None},
                         account.auth_token, account)

        yield Api(TWILIO, "fake", creds(a, "+15005550006"), to="+8801712345678",
                  bad_to="+8801799999999", b=creds(b, "+15017122661"), fake=fake,
                  env=twilio_api.ENV_API_BASE)


def _twilio_real(monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    sid = os.environ.get("HAAT_TWILIO_TEST_ACCOUNT_SID", "")
    token = os.environ.get("HAAT_TWILIO_TEST_AUTH_TOKEN", "")
    to = os.environ.get("HAAT_TWILIO_TEST_TO", "")
    if not (sid and token and to):
        pytest.skip("real Twilio not configured: set HAAT_TWILIO_TEST_ACCOUNT_SID, "
                    "HAAT_TWILIO_TEST_AUTH_TOKEN and HAAT_TWILIO_TEST_TO")
    monkeypatch.delenv(twilio_api.ENV_API_BASE, raising=False)
    sender = os.environ.get("HAAT_TWILIO_TEST_FROM", "+15005550006")
    yield Api(TWILIO, "real", Creds({"account_sid": sid, "auth_token": token,
                                     "sender": sender, "cost_per_part": None}, token),
              to=to, bad_to=os.environ.get("HAAT_TWILIO_TEST_BAD_TO", "+15005550001"),
              env=twilio_api.ENV_API_BASE)


def _ssl_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    with FakeSslWireless() as fake:
        monkeypatch.setenv(ssl_api.ENV_API_BASE, fake.url)
        a, b = fake.add_account(("DHAKACRAFTS",)), fake.add_account(("8809612345678",))

        def creds(account: Any) -> Creds:
            sid = next(iter(account.sids))
            return Creds({"api_token": account.api_token, "sid": sid, "cost_per_part": None},
                         account.api_token, account)

        yield Api(SSL, "fake", creds(a), to="+8801712345678", bad_to="+8801799999999",
                  b=creds(b), fake=fake, env=ssl_api.ENV_API_BASE)


def _ssl_real(monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    token = os.environ.get("HAAT_SSLWIRELESS_TEST_API_TOKEN", "")
    sid = os.environ.get("HAAT_SSLWIRELESS_TEST_SID", "")
    to = os.environ.get("HAAT_SSLWIRELESS_TEST_TO", "")
    if not (token and sid and to):
        pytest.skip("real SSL Wireless not configured: set HAAT_SSLWIRELESS_TEST_API_TOKEN, "
                    "HAAT_SSLWIRELESS_TEST_SID and HAAT_SSLWIRELESS_TEST_TO")
    base = os.environ.get("HAAT_SSLWIRELESS_TEST_API_BASE", "")
    if base:
        monkeypatch.setenv(ssl_api.ENV_API_BASE, base)
    else:
        monkeypatch.delenv(ssl_api.ENV_API_BASE, raising=False)
    yield Api(SSL, "real", Creds({"api_token": token, "sid": sid, "cost_per_part": None},
                                 token), to=to, env=ssl_api.ENV_API_BASE)


MAKERS: dict[str, Callable[[pytest.MonkeyPatch], Iterator[Api]]] = {
    "twilio-fake": _twilio_fake, "twilio-real": _twilio_real,
    "sslwireless-fake": _ssl_fake, "sslwireless-real": _ssl_real,
}


def _apis(*names: str) -> Any:
    """A fixture over these providers' APIs: each fake, then each real service if
    configured (else that case skips and says what to set)."""

    @pytest.fixture(params=names)
    def fixture(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
                caplog: pytest.LogCaptureFixture) -> Iterator[Api]:
        caplog.set_level(logging.DEBUG)
        for found in MAKERS[request.param](monkeypatch):
            found.caplog = caplog
            yield found
            found.check_no_secrets()

    return fixture


api = _apis(*MAKERS)
twilio_apis = _apis("twilio-fake", "twilio-real")
sslwireless_apis = _apis("sslwireless-fake", "sslwireless-real")


@pytest.fixture
def twilio(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> Iterator[Api]:
    """The Twilio fake only."""
    caplog.set_level(logging.DEBUG)
    for found in _twilio_fake(monkeypatch):
        found.caplog = caplog
        yield found
        found.check_no_secrets()


@pytest.fixture
def sslwireless(monkeypatch: pytest.MonkeyPatch,
                caplog: pytest.LogCaptureFixture) -> Iterator[Api]:
    """The SSL Wireless fake only."""
    caplog.set_level(logging.DEBUG)
    for found in _ssl_fake(monkeypatch):
        found.caplog = caplog
        yield found
        found.check_no_secrets()


# ------------------------------------------------------------------ both providers


def test_a_message_is_sent_and_the_receipt_has_the_providers_id(api: Api):
    gateway = api.gateway()
    assert isinstance(gateway, SmsGateway)
    message = api.message(gateway)

    receipt = gateway.send_sms(message)

    assert receipt.status == "sent"
    assert receipt.provider_id
    if api.fake is None:
        return
    (sent,) = api.sent()
    if api.twilio:
        assert receipt.provider_id == sent.sid and sent.sid.startswith("SM")
        assert (sent.to, sent.body, sent.from_) == (message.to, ENGLISH, "+15005550006")
        assert sent.messaging_service_sid is None and sent.encoding == "GSM"
    else:
        assert receipt.provider_id == sent.reference_id
        assert (sent.msisdn, sent.sms, sent.sid) == ("8801712345678", ENGLISH, "DHAKACRAFTS")
        assert sent.csms_id == ssl_api.csms_id(message.reference)
        assert sent.sms_type == "EN"


def test_bengali_text_arrives_intact_as_unicode(api: Api):
    gateway = api.gateway()
    message = api.message(gateway, BENGALI)
    assert message.unicode

    receipt = gateway.send_sms(message)

    assert receipt.provider_id
    if api.fake is None:
        return
    (sent,) = api.sent()
    if api.twilio:  # Twilio needs no flag: it sends UCS-2 for text outside GSM 03.38
        assert sent.body == BENGALI and sent.params["Body"] == BENGALI
        assert (sent.encoding, sent.num_segments) == ("UCS-2", 1)
    else:  # SSL's v3 API has no flag either; it detects Bengali ("BN")
        assert sent.sms == BENGALI and sent.sms_type == "BN"
        seen = api.fake.requests[-1]
        assert seen.content_type == "application/json" and seen.payload["sms"] == BENGALI


def test_wrong_credentials_are_final_and_never_quoted(api: Api):
    wrong = "0123456789abcdef0123456789abcdef" if api.twilio else f"1279-{uuid.uuid4()}"
    key = "auth_token" if api.twilio else "api_token"
    gateway = api.gateway(**{key: wrong})
    api.b = Creds({}, wrong)  # the wrong secret must not leak either

    message = api.message(gateway)
    refused = api.refused(gateway, message)

    assert refused.retry is False
    assert ("Auth Token" if api.twilio else "API token") in refused.reason
    assert f"message {message.reference} not sent" in api.caplog.text  # logged, no secret
    if api.fake is not None:
        assert api.sent() == []


def test_a_refused_connection_is_retried(api: Api, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(api.env, closed_port_url())
    gateway = api.gateway()

    refused = api.refused(gateway, api.message(gateway))

    assert refused.retry is True
    assert "Could not reach" in refused.reason


@pytest.mark.parametrize("status", [500, 503, 429])
def test_server_errors_and_rate_limits_are_retried(api: Api, status: int):
    fake = api.needs_fake()
    gateway = api.gateway()
    fake.fail_next(status)

    refused = api.refused(gateway, api.message(gateway))

    assert refused.retry is True
    assert api.sent() == []
    gateway.send_sms(api.message(gateway))  # the next attempt goes through
    assert len(api.sent()) == 1


def test_a_read_timeout_is_retried_only_where_the_provider_deduplicates(api: Api):
    fake = api.needs_fake()
    gateway = api.gateway(timeout=SHORT_TIMEOUT)
    message = api.message(gateway)
    fake.hang()

    started = time.monotonic()
    refused = api.refused(gateway, message)
    assert time.monotonic() - started < SHORT_TIMEOUT + 2

    fake.release()  # the service goes on with the request: the message IS sent
    assert len(api.sent()) == 1
    if api.twilio:
        # No idempotency key at Twilio: another attempt would text the shopper twice.
        assert refused.retry is False
        assert "may or may not" in refused.reason
    else:
        # SSL refuses a csms_id it has seen today, so the retry is safe, and its 4023
        # answer means the first attempt went through.
        assert refused.retry is True
        receipt = gateway.send_sms(message)
        assert receipt.status == "sent"
        assert len(api.sent()) == 1
        assert fake.requests[-1].status_code == 4023


def test_a_connection_dropped_after_sending_is_ambiguous(api: Api):
    fake = api.needs_fake()
    gateway = api.gateway()
    message = api.message(gateway)
    fake.drop_next()

    refused = api.refused(gateway, message)

    assert len(api.sent()) == 1
    assert refused.retry is (not api.twilio)
    if not api.twilio:
        gateway.send_sms(message)
        assert len(api.sent()) == 1


def test_the_gateway_carries_the_cost_and_the_sender(api: Api):
    gateway = api.gateway(cost_per_part=35)
    assert gateway.cost_per_part == Money(35, "BDT")
    assert api.gateway().cost_per_part is None
    assert gateway.sender_id == api.a.settings["sender" if api.twilio else "sid"]
    assert api.a.secret not in repr(gateway)


# -------------------------------------------------------------------------- Twilio


def test_twilio_refuses_an_invalid_number_for_good(twilio_apis: Api):
    api = twilio_apis
    if api.fake is not None:
        api.fake.reject_number(api.bad_to, 21211)
    gateway = api.gateway()

    refused = api.refused(gateway, api.message(gateway, to=api.bad_to))

    assert refused.retry is False
    assert "not a valid phone number" in refused.reason and api.bad_to in refused.reason


@pytest.mark.parametrize(("code", "words"), [
    (21408, "Geo permissions"),
    (21610, "replied STOP"),
    (21608, "trial account"),
    (21614, "not a mobile number"),
])
def test_twilio_recipient_errors_are_final(twilio: Api, code: int, words: str):
    twilio.fake.reject_number(twilio.to, code)
    gateway = twilio.gateway()

    refused = twilio.refused(gateway, twilio.message(gateway))

    assert refused.retry is False
    assert words in refused.reason and f"error {code}" in refused.reason


def test_twilio_sends_through_a_messaging_service(twilio: Api):
    account = twilio.fake.add_account(numbers=(), messaging_service=True)
    (service,) = account.messaging_services
    creds = Creds({"account_sid": account.sid, "auth_token": account.auth_token,
                   "sender": service}, account.auth_token, account)
    gateway = twilio.gateway(creds)
    assert gateway.sender_id == ""  # the service picks the number

    receipt = gateway.send_sms(twilio.message(gateway))

    (sent,) = twilio.sent(creds)
    assert receipt.provider_id == sent.sid and sent.status == "accepted"
    assert sent.messaging_service_sid == service and sent.from_ is None
    assert "From" not in sent.params


def test_twilio_uses_the_sender_core_asks_for(twilio: Api):
    gateway = twilio.gateway()
    gateway.send_sms(twilio.message(gateway, sender_id="DhakaCraft"))
    assert twilio.sent()[0].from_ == "DhakaCraft"


def test_twilio_sender_problems_are_final(twilio: Api):
    gateway = twilio.gateway(sender="+15017122661")  # account B's number, not A's
    refused = twilio.refused(gateway, twilio.message(gateway))
    assert refused.retry is False and "error 21606" in refused.reason


def test_twilio_sends_basic_auth_of_the_stores_account(twilio: Api):
    gateway = twilio.gateway()
    gateway.send_sms(twilio.message(gateway))
    (seen,) = twilio.fake.requests
    assert seen.username == twilio.a.account.sid
    assert seen.path == f"/2010-04-01/Accounts/{twilio.a.account.sid}/Messages.json"
    assert set(seen.params) == {"To", "Body", "From"}


# -------------------------------------------------------------------- SSL Wireless


def test_sslwireless_refuses_numbers_outside_bangladesh_without_calling(sslwireless_apis: Api):
    api = sslwireless_apis
    gateway = api.gateway()
    for number in ("+15005550006", "+8801212345678", "+88017123456789"):
        refused = api.refused(gateway, api.message(gateway, to=number))
        assert refused.retry is False and "Bangladeshi" in refused.reason
    if api.fake is not None:
        assert api.fake.requests == []


@pytest.mark.parametrize(("code", "words"), [(4025, "not a valid mobile number"),
                                             (4026, "blocked")])
def test_sslwireless_rejected_numbers_are_final(sslwireless: Api, code: int, words: str):
    sslwireless.fake.reject_number("8801799999999", code)
    gateway = sslwireless.gateway()

    refused = sslwireless.refused(gateway, sslwireless.message(gateway, to="+8801799999999"))

    assert refused.retry is False
    assert words in refused.reason and "+8801799999999" in refused.reason


@pytest.mark.parametrize(("code", "retry"), [(4029, True), (4031, True), (5000, True),
                                             (4022, False), (4028, False)])
def test_sslwireless_api_codes(sslwireless: Api, code: int, retry: bool):
    sslwireless.fake.fail_next(code=code)
    gateway = sslwireless.gateway()

    refused = sslwireless.refused(gateway, sslwireless.message(gateway))

    assert refused.retry is retry and f"code {code}" in refused.reason
    assert sslwireless.sent() == []


def test_sslwireless_sid_of_another_account_is_refused(sslwireless: Api):
    gateway = sslwireless.gateway(sid="NOTOURS")
    refused = sslwireless.refused(gateway, sslwireless.message(gateway))
    assert refused.retry is False and "code 4002" in refused.reason


def test_sslwireless_ip_not_whitelisted_is_explained(sslwireless: Api):
    sslwireless.fake.blacklist_ip()
    gateway = sslwireless.gateway()
    refused = sslwireless.refused(gateway, sslwireless.message(gateway))
    assert refused.retry is False and "whitelist" in refused.reason


def test_sslwireless_sends_the_documented_request(sslwireless: Api):
    gateway = sslwireless.gateway()
    message = sslwireless.message(gateway, reference="haat-12-3456")
    gateway.send_sms(message)
    (seen,) = sslwireless.fake.requests
    assert seen.path == "/api/v3/send-sms" and seen.method == "POST"
    assert seen.payload == {"sid": "DHAKACRAFTS", "msisdn": "8801712345678",
                            "sms": ENGLISH, "csms_id": ssl_api.csms_id("haat-12-3456")}


def test_sslwireless_csms_id_is_stable_short_and_distinct():
    first = ssl_api.csms_id("haat-12-3456")
    assert first == ssl_api.csms_id("haat-12-3456")
    assert first.isalnum() and len(first) <= 20
    assert ssl_api.csms_id("haat-1-23456") != first != ssl_api.csms_id("haat-123-456")
    assert ssl_api.csms_id("Ref42") == "Ref42"


def test_sslwireless_number_forms():
    assert ssl_api.msisdn("+8801712345678") == "8801712345678"
    assert ssl_api.msisdn("+8801312345678") == "8801312345678"
    assert ssl_api.msisdn("01712345678") is None  # core always hands E.164
    assert ssl_api.msisdn("+8802912345678") is None  # a landline
    assert ssl_api.msisdn("+37491123456") is None


# ------------------------------------------------------------------------- settings


def _field(manifest: Any, name: str) -> Any:
    return next(f for f in manifest.settings if f.name == name)


@pytest.mark.parametrize(("name", "value"), [
    ("account_sid", "AC123"),
    ("account_sid", "SK" + "0" * 32),
    ("account_sid", "AC" + "g" * 32),
    ("auth_token", "too-short"),
    ("auth_token", "z" * 32),
    ("sender", "01712345678"),
    ("sender", "A sender name that is too long"),
    ("sender", "+12"),
    ("sender", "Shop!"),
])
def test_twilio_settings_refuse_malformed_values(name: str, value: str):
    with pytest.raises(FieldError):
        _field(twilio_plugin.manifest, name).parse(value)


@pytest.mark.parametrize(("name", "value"), [
    ("account_sid", "AC" + "0123456789abcdef" * 2),
    ("auth_token", "0123456789abcdef" * 2),
    ("sender", "+8801712345678"),
    ("sender", "MG" + "0123456789abcdef" * 2),
    ("sender", "DhakaCraft"),
])
def test_twilio_settings_take_wellformed_values(name: str, value: str):
    assert _field(twilio_plugin.manifest, name).parse(f"  {value} ") == value


def test_twilio_secret_and_cost_fields():
    token = _field(twilio_plugin.manifest, "auth_token")
    assert token.secret and token.required
    assert _field(twilio_plugin.manifest, "cost_per_part").parse("0.35",
                                                                 currency="USD") == 35
    with pytest.raises(FieldError):
        _field(twilio_plugin.manifest, "account_sid").parse("")  # required


@pytest.mark.parametrize(("name", "value"), [
    ("api_token", "short"),
    ("api_token", "1279 98d2bb25 3f7e 49bf a1e2"),
    ("sid", "DHAKA CRAFTS"),
    ("sid", "-DASH"),
])
def test_sslwireless_settings_refuse_malformed_values(name: str, value: str):
    with pytest.raises(FieldError):
        _field(ssl_plugin.manifest, name).parse(value)


def test_sslwireless_settings_take_wellformed_values():
    token = "1279-98d2bb25-3f7e-49bf-a1e2-5d1a6c6c588f"
    assert _field(ssl_plugin.manifest, "api_token").parse(token) == token
    assert _field(ssl_plugin.manifest, "api_token").secret
    assert _field(ssl_plugin.manifest, "sid").parse("DHAKACRAFTS") == "DHAKACRAFTS"
    assert _field(ssl_plugin.manifest, "cost_per_part").parse("0.35", currency="BDT") == 35


def test_manifests_say_where_the_plugins_belong():
    assert twilio_plugin.manifest.countries == ()
    assert ssl_plugin.manifest.countries == ("BD",)
    assert twilio_plugin.manifest.applies_to("AM", "AMD")
    assert ssl_plugin.manifest.applies_to("BD", "BDT")
    assert not ssl_plugin.manifest.applies_to("AM", "AMD")


# ---------------------------------------------- settings in the merchant's language


@pytest.mark.parametrize("package", ["plugins.sms_twilio", "plugins.sms_sslwireless"])
def test_every_message_is_translated_into_bengali_and_armenian(package: str):
    assert_translated(package)


def _setting_error(page: str, name: str) -> str:
    found = re.search(rf'<p class="error" id="setting-{name}-error">([^<]*)</p>', page)
    return found.group(1) if found else ""


@pytest.mark.parametrize(("plugin", "locale", "currency", "title", "label", "english"), [
    (TWILIO, "bn", "BDT", "Twilio দিয়ে SMS", ("sender", "প্রেরক"), "Send from"),
    (TWILIO, "hy", "AMD", "SMS Twilio-ի միջոցով", ("sender", "Ուղարկող"), "Send from"),
    (SSL, "bn", "BDT", "SSL Wireless দিয়ে SMS", ("sid", "SID (প্রেরক)"), "SID (sender)"),
    (SSL, "hy", "AMD", "SMS SSL Wireless-ի միջոցով", ("sid", "SID (ուղարկող)"),
     "SID (sender)"),
])
def test_the_settings_page_in_the_owners_language(haat_store, haat_admin_client,
                                                  plugin: str, locale: str, currency: str,
                                                  title: str, label: tuple[str, str],
                                                  english: str):
    shop = haat_store(f"{locale}-texts", locale=locale, currency=currency)
    page = haat_admin_client(shop).get(f"/admin/plugins/{plugin}").get_data(as_text=True)
    assert f"<h1>{title}</h1>" in page
    name, words = label
    assert (f'<label for="setting-{name}">{words} '
            f'<span class="required" aria-hidden="true">*</span></label>') in page
    assert f"{english} <span" not in page
    assert str(PLUGINS[plugin].manifest.description) not in page  # (the English text)


@pytest.mark.parametrize(("plugin", "form", "field", "in_bengali"), [
    (TWILIO, {"account_sid": "AC123", "sender": "+15005550006"}, "account_sid",
     "Account SID হলো AC-এর পরে ৩২টি অক্ষর ও সংখ্যা (0-9, a-f); Twilio কনসোলের "
     "Account Info বক্স থেকে এটি কপি করুন।"),
    (TWILIO, {"account_sid": "AC" + "0" * 32, "sender": "Shop!"}, "sender",
     "আন্তর্জাতিক আকারে একটি Twilio নম্বর (+15017122661), একটি Messaging Service SID "
     "(MG-এর পরে ৩২টি অক্ষর ও সংখ্যা), অথবা সর্বোচ্চ ১১টি ইংরেজি অক্ষর, সংখ্যা ও স্পেস "
     "দিয়ে একটি প্রেরকের নাম লিখুন।"),
    (SSL, {"api_token": "x", "sid": "DHAKA CRAFTS"}, "sid",
     "SID হলো SSL Wireless-এর দেওয়া প্রেরক কোড: ইংরেজি অক্ষর ও সংখ্যা (. _ - ও চলবে), "
     "কোনো স্পেস ছাড়া।"),
])
def test_setting_errors_in_the_owners_language(haat_store, haat_admin_client, plugin: str,
                                               form: dict[str, str], field: str,
                                               in_bengali: str):
    shop = haat_store("dhaka-texts", locale="bn", currency="BDT")
    refused = haat_admin_client(shop).post(f"/admin/plugins/{plugin}", data=form)
    assert refused.status_code == 422
    assert _setting_error(refused.get_data(as_text=True), field) == in_bengali


@pytest.mark.parametrize("plugin", [TWILIO, SSL])
def test_no_gateway_until_the_settings_are_complete(plugin: str):
    defaults = {f.name: f.empty_value() for f in PLUGINS[plugin].manifest.settings}
    assert PLUGINS[plugin].haat_sms_gateways(store_info(plugin, defaults)) == []
    assert PLUGINS[plugin].haat_sms_gateways(store_info(plugin, {})) == []


# ------------------------------------------------ the hook, per store, through Haat


def _offered(haat_app: Any, store: Any) -> list[tuple[str, Any]]:
    """What core collects from ``haat_sms_gateways`` for ``store``: (plugin, gateway)."""
    from core.pluginhost.web import plugins_for_tenant
    from tenants import tenant_scope

    with haat_app.app_context(), tenant_scope(store.id):
        contributions = plugins_for_tenant(store.id).contribute("haat_sms_gateways")
    return [(c.plugin, gateway) for c in contributions for gateway in c.value or ()]


def test_hook_sms_gateways(haat_app, haat_store, haat_enable_plugin, twilio: Api,
                           sslwireless: Api):
    """Each store gets gateways built from its own settings, and only its own."""
    first = haat_store("dhaka-crafts", locale="bn", currency="BDT")
    second = haat_store("sylhet-tea", locale="bn", currency="BDT")
    third = haat_store("no-sms", currency="BDT")
    a, b = twilio.a, twilio.b
    assert b is not None
    haat_enable_plugin(first, TWILIO, secrets={"auth_token": a.secret},
                       settings={"account_sid": a.settings["account_sid"],
                                 "sender": a.settings["sender"], "cost_per_part": "0.35"})
    haat_enable_plugin(second, TWILIO, secrets={"auth_token": b.secret},
                       settings={"account_sid": b.settings["account_sid"],
                                 "sender": b.settings["sender"]})
    haat_enable_plugin(second, SSL, secrets={"api_token": sslwireless.a.secret},
                       settings={"sid": sslwireless.a.settings["sid"]})

    (only,) = _offered(haat_app, first)
    assert only[0] == TWILIO
    assert only[1].account_sid == a.settings["account_sid"]
    assert only[1].cost_per_part == Money(35, "BDT")
    both = sorted(_offered(haat_app, second), key=lambda offered: offered[0])
    assert [plugin for plugin, _ in both] == [SSL, TWILIO]  # core orders them by name
    assert both[1][1].account_sid == b.settings["account_sid"]
    assert both[1][1].cost_per_part is None
    assert _offered(haat_app, third) == []

    first_gateway, second_gateway = only[1], both[1][1]
    first_gateway.send_sms(twilio.message(first_gateway, "From the first shop"))
    second_gateway.send_sms(twilio.message(second_gateway, "From the second shop"))
    both[0][1].send_sms(sslwireless.message(both[0][1], BENGALI))

    assert [m.body for m in twilio.sent(a)] == ["From the first shop"]
    assert [m.body for m in twilio.sent(b)] == ["From the second shop"]
    assert [m.sms for m in sslwireless.sent()] == [BENGALI]
    assert {seen.username for seen in twilio.fake.requests} == {
        a.settings["account_sid"], b.settings["account_sid"]}


def test_enabling_refuses_malformed_credentials(haat_store, haat_enable_plugin):
    shop = haat_store("dhaka-crafts", currency="BDT")
    with pytest.raises(AssertionError, match="account_sid"):
        haat_enable_plugin(shop, TWILIO, secrets={"auth_token": "0" * 32},
                           settings={"account_sid": "AC123", "sender": "+15005550006"})
    with pytest.raises(AssertionError, match="auth_token"):
        haat_enable_plugin(shop, TWILIO, secrets={"auth_token": "not-a-token"},
                           settings={"account_sid": "AC" + "0" * 32,
                                     "sender": "+15005550006"})
    with pytest.raises(AssertionError, match="api_token"):
        haat_enable_plugin(shop, SSL, secrets={"api_token": "x"},
                           settings={"sid": "DHAKACRAFTS"})
