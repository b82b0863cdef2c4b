"""Plugin settings and secrets: pure tests (no app, no database)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import pytest
from cryptography.fernet import Fernet
from werkzeug.datastructures import MultiDict

from core.pluginhost.secrets import (
    SecretBox,
    SecretsMisconfigured,
    SecretsUnreadable,
    keys_from_config,
    mask,
)
from core.pluginhost.settings import (
    SettingsResult,
    effective_settings,
    form_values,
    to_json,
    validate_settings,
)
from core.sdk import (
    BoolField,
    ChoiceField,
    LongTextField,
    MoneyField,
    MultiChoiceField,
    NumberField,
    PluginManifest,
    SecretField,
    TextField,
    UrlField,
)

API_KEY = "sk_live_abcd1234"


def _manifest(*fields: Any, validate: Any = None) -> PluginManifest:
    return PluginManifest(name="demo", title="Demo", settings=fields, validate_settings=validate)


def _check(field: Any, raw: Any, *, currency: str = "USD") -> SettingsResult:
    return validate_settings(
        _manifest(field), {field.name: raw}, currency=currency, stored_secrets={}
    )


def _value(field: Any, raw: Any, *, currency: str = "USD") -> Any:
    result = _check(field, raw, currency=currency)
    assert result.ok, result.errors
    return result.values[field.name]


def _error(field: Any, raw: Any, *, currency: str = "USD") -> str:
    result = _check(field, raw, currency=currency)
    assert not result.ok
    return result.errors[field.name]


# ----------------------------------------------------------------- field parsing


def test_text_is_stripped_and_limited() -> None:
    field = TextField("title", "Title", max_length=5)
    assert _value(field, "  hello ") == "hello"
    assert _error(field, "toolong") == "Use at most 5 characters."
    assert _value(LongTextField("body", "Body"), "a\nb") == "a\nb"


def test_number_parsing_and_errors() -> None:
    field = NumberField("rate", "Rate", min_value=1, max_value=10)
    assert _value(field, "2.50") == Decimal("2.50")
    assert _error(field, "abc") == "Enter a number."
    assert _error(field, "NaN") == "Enter a number."
    assert _error(field, "0.5") == "Enter 1 or more."
    assert _error(field, "11") == "Enter 10 or less."


def test_integer_number_refuses_fractions() -> None:
    field = NumberField("count", "Count", integer=True)
    value = _value(field, "3")
    assert value == 3 and isinstance(value, int)
    assert _error(field, "2.5") == "Enter a whole number."


def test_money_is_minor_units_in_the_store_currency() -> None:
    field = MoneyField("threshold", "Free shipping from")
    assert _value(field, "12.5", currency="USD") == 1250
    assert _value(field, "12.5", currency="BDT") == 1250
    assert _value(field, "1,250", currency="BDT") == 125000
    assert _value(field, "12.5", currency="JPY") == 13  # JPY has no minor unit
    assert _error(field, "-1") == "Enter an amount of zero or more."
    assert _error(field, "twelve") == "Enter an amount, e.g. 120 or 99.50."


def test_unchecked_bool_is_false() -> None:
    field = BoolField("enabled", "Enabled")
    assert _value(field, "on") is True
    result = validate_settings(_manifest(field), {}, currency="USD", stored_secrets={})
    assert result.values == {"enabled": False}


def _bools(form: Mapping[str, Any]) -> dict[str, Any]:
    manifest = _manifest(BoolField("show_map", "Show a map", default=True),
                         BoolField("sticky", "Keep it at the top"))
    result = validate_settings(manifest, form, currency="USD", stored_secrets={})
    assert result.ok, result.errors
    return result.values


def test_a_bool_not_submitted_gets_its_default() -> None:
    assert _bools({}) == {"show_map": True, "sticky": False}
    assert _bools(MultiDict()) == {"show_map": True, "sticky": False}
    assert _bools({"show_map": None}) == {"show_map": True, "sticky": False}


@pytest.mark.parametrize("raw", ["0", "", "false", "off", "OFF", " 0 ", False, 0])
def test_a_bool_submitted_unticked_is_false_whatever_its_default(raw: Any) -> None:
    assert _bools({"show_map": raw, "sticky": raw}) == {"show_map": False, "sticky": False}


@pytest.mark.parametrize("raw", ["1", "on", "true", "yes", True, 1])
def test_a_bool_submitted_ticked_is_true(raw: Any) -> None:
    assert _bools({"show_map": raw, "sticky": raw}) == {"show_map": True, "sticky": True}


def test_the_last_value_of_a_bool_counts_as_the_admin_form_sends_it() -> None:
    # The form sends a hidden "0" for every box, then "1" for a ticked one.
    form = MultiDict([("show_map", "0"), ("sticky", "0"), ("sticky", "1")])
    assert _bools(form) == {"show_map": False, "sticky": True}
    assert _bools(MultiDict([("sticky", "0"), ("sticky", "1")])) == {
        "show_map": True, "sticky": True}


def test_bool_validators_see_submitted_values_but_never_refuse_the_default() -> None:
    field = BoolField("agree", "I agree", default=False,
                      validators=(lambda ticked: None if ticked else "Tick this to go on.",))
    assert _error(field, "0") == "Tick this to go on."
    assert _value(field, "1") is True
    result = validate_settings(_manifest(field), {}, currency="USD", stored_secrets={})
    assert result.ok and result.values == {"agree": False}


def test_a_stored_bool_wins_over_the_default_and_a_missing_one_gets_it() -> None:
    manifest = _manifest(BoolField("show_map", "Show a map", default=True))
    assert effective_settings(manifest, {}, {}) == {"show_map": True}
    assert effective_settings(manifest, {"show_map": False}, {}) == {"show_map": False}
    saved = to_json(manifest, _bools({"show_map": "0"}))
    assert saved == {"show_map": False}
    assert effective_settings(manifest, saved, {}) == {"show_map": False}
    assert form_values(manifest, saved, {}, currency="USD") == {"show_map": False}
    assert form_values(manifest, {}, {}, currency="USD") == {"show_map": True}


def test_choice_must_be_an_option() -> None:
    field = ChoiceField("mode", "Mode", choices=(("live", "Live"), ("test", "Test")))
    assert _value(field, "test") == "test"
    assert _error(field, "other") == "Choose one of the options."


def test_multichoice_keeps_option_order_and_refuses_unknown() -> None:
    field = MultiChoiceField(
        "cards", "Cards", choices=(("visa", "Visa"), ("mc", "Mastercard"), ("amex", "Amex"))
    )
    form = MultiDict([("cards", "amex"), ("cards", "visa")])
    result = validate_settings(_manifest(field), form, currency="USD", stored_secrets={})
    assert result.values == {"cards": ["visa", "amex"]}
    assert _value(field, ["mc"]) == ["mc"]
    assert _value(field, "mc") == ["mc"]
    assert _error(field, ["visa", "diners"]) == "Choose only from the options."
    assert validate_settings(
        _manifest(field), MultiDict(), currency="USD", stored_secrets={}
    ).values == {"cards": []}


@pytest.mark.parametrize("raw", ["example.com", "ftp://example.com", "javascript:alert(1)"])
def test_url_needs_http_scheme(raw: str) -> None:
    field = UrlField("webhook", "Webhook")
    assert _error(field, raw) == "Enter a full address starting with https://"


def test_url_accepts_https() -> None:
    assert _value(UrlField("u", "U"), "https://example.com/x") == "https://example.com/x"


def test_required_fields() -> None:
    manifest = _manifest(
        TextField("title", "Title", required=True),
        NumberField("rate", "Rate", required=True),
        MoneyField("min", "Minimum", required=True),
    )
    result = validate_settings(
        manifest, {"title": "  ", "rate": ""}, currency="USD", stored_secrets={}
    )
    assert result.errors == {
        "title": "Title is required.",
        "rate": "Rate is required.",
        "min": "Minimum is required.",
    }


def test_empty_optional_field_gets_default() -> None:
    field = NumberField("rate", "Rate", default=Decimal("1.5"))
    assert _value(field, "") == Decimal("1.5")


def test_unknown_keys_are_dropped() -> None:
    manifest = _manifest(TextField("title", "Title"))
    result = validate_settings(
        manifest,
        {"title": "x", "is_admin": "1", "csrf_token": "t"},
        currency="USD",
        stored_secrets={},
    )
    assert result.ok
    assert result.values == {"title": "x"}
    assert result.secrets == {}


def test_field_validators_run() -> None:
    field = TextField("code", "Code", validators=(lambda v: None if v.isupper() else "Caps!",))
    assert _error(field, "abc") == "Caps!"


# ----------------------------------------------------------- whole-form validation


def _min_max(values: Mapping[str, Any]) -> dict[str, str]:
    problems = {}
    if values["low"] > values["high"]:
        problems["low"] = "Must not exceed the maximum."
    if values["api_key"] == "bad":
        problems["nonexistent"] = "The key was refused."
        problems["__all__"] = "Try again."
    return problems


def test_form_validator_errors_are_merged() -> None:
    manifest = _manifest(
        NumberField("low", "Low"),
        NumberField("high", "High"),
        SecretField("api_key", "API key"),
        validate=_min_max,
    )
    result = validate_settings(
        manifest, {"low": "5", "high": "3", "api_key": "bad"}, currency="USD", stored_secrets={}
    )
    assert result.errors == {
        "low": "Must not exceed the maximum.",
        "": "The key was refused. Try again.",
    }
    ok = validate_settings(
        manifest, {"low": "1", "high": "3"}, currency="USD", stored_secrets={"api_key": "good"}
    )
    assert ok.ok


def test_form_validator_skipped_when_fields_are_invalid() -> None:
    calls = []
    manifest = _manifest(NumberField("n", "N"), validate=lambda v: calls.append(v) or {})
    assert not validate_settings(manifest, {"n": "x"}, currency="USD", stored_secrets={}).ok
    assert calls == []


def test_form_validator_sees_stored_secrets() -> None:
    seen: list[Mapping[str, Any]] = []
    manifest = _manifest(
        TextField("t", "T"),
        SecretField("api_key", "API key"),
        SecretField("other", "Other"),
        validate=lambda v: seen.append(dict(v)) or {},
    )
    validate_settings(manifest, {"t": "x"}, currency="USD", stored_secrets={"api_key": API_KEY})
    assert seen == [{"t": "x", "api_key": API_KEY, "other": ""}]


# ------------------------------------------------------------------------- secrets


SECRET_MANIFEST = _manifest(
    TextField("account", "Account"),
    SecretField("api_key", "API key", required=True),
    SecretField("webhook_secret", "Webhook secret"),
)


def test_empty_secret_submission_keeps_stored_value() -> None:
    result = validate_settings(
        SECRET_MANIFEST,
        {"account": "acme", "api_key": "", "webhook_secret": "  "},
        currency="USD",
        stored_secrets={"api_key": API_KEY, "webhook_secret": "whsec_1"},
    )
    assert result.ok
    assert result.secrets == {"api_key": API_KEY, "webhook_secret": "whsec_1"}
    assert result.values == {"account": "acme"}


def test_new_secret_replaces_stored_value() -> None:
    result = validate_settings(
        SECRET_MANIFEST,
        {"api_key": " sk_new_9999 "},
        currency="USD",
        stored_secrets={"api_key": API_KEY},
    )
    assert result.ok
    assert result.secrets == {"api_key": "sk_new_9999"}


def test_required_secret_with_nothing_stored_errors() -> None:
    result = validate_settings(SECRET_MANIFEST, {}, currency="USD", stored_secrets={})
    assert result.errors == {"api_key": "API key is required."}


def test_secret_too_long_error_does_not_echo_value() -> None:
    field = SecretField("api_key", "API key", max_length=4)
    message = _error(field, "sk_live_toolong")
    assert "sk_live" not in message


def test_values_never_contain_secrets() -> None:
    result = validate_settings(
        SECRET_MANIFEST,
        {"account": "acme", "api_key": API_KEY},
        currency="USD",
        stored_secrets={},
    )
    assert "api_key" not in result.values
    assert API_KEY not in json.dumps(result.values)
    assert API_KEY not in repr(result)
    assert API_KEY not in json.dumps(to_json(SECRET_MANIFEST, {**result.values, **result.secrets}))


# -------------------------------------------------------------- stored / effective


FULL = _manifest(
    TextField("title", "Title", default="Hello"),
    NumberField("rate", "Rate", default=Decimal("1.5")),
    NumberField("count", "Count", integer=True, default=3),
    MoneyField("threshold", "Threshold", default=5000),
    BoolField("enabled", "Enabled"),
    ChoiceField("mode", "Mode", choices=(("live", "Live"), ("test", "Test")), default="test"),
    MultiChoiceField("cards", "Cards", choices=(("visa", "Visa"), ("mc", "MC"))),
    SecretField("api_key", "API key"),
)


def test_effective_settings_fill_defaults_and_drop_unknown_keys() -> None:
    settings = effective_settings(FULL, {"title": "Hi", "legacy": 1}, {})
    assert settings == {
        "title": "Hi",
        "rate": Decimal("1.5"),
        "count": 3,
        "threshold": 5000,
        "enabled": False,
        "mode": "test",
        "cards": [],
        "api_key": "",
    }
    assert effective_settings(FULL, {}, {"api_key": API_KEY})["api_key"] == API_KEY


def test_decimal_round_trips_through_json() -> None:
    form = {
        "title": "Hi",
        "rate": "2.50",
        "count": "7",
        "threshold": "12.5",
        "enabled": "on",
        "mode": "live",
        "cards": ["mc", "visa"],
        "api_key": API_KEY,
    }
    result = validate_settings(FULL, form, currency="USD", stored_secrets={})
    assert result.ok, result.errors
    stored = json.loads(json.dumps(to_json(FULL, result.values)))
    assert stored["rate"] == "2.50"
    assert "api_key" not in stored
    settings = effective_settings(FULL, stored, result.secrets)
    assert settings == {**result.values, "api_key": API_KEY}
    assert isinstance(settings["rate"], Decimal) and settings["rate"] == Decimal("2.50")
    assert isinstance(settings["count"], int) and settings["count"] == 7
    assert settings["threshold"] == 1250
    assert settings["cards"] == ["visa", "mc"]


def test_unreadable_stored_values_fall_back_to_defaults() -> None:
    stored = {"rate": "abc", "count": "2.5", "mode": "gone", "enabled": "yes", "cards": ["x"]}
    settings = effective_settings(FULL, stored, {})
    assert settings["rate"] == Decimal("1.5")
    assert settings["count"] == 3
    assert settings["mode"] == "test"
    assert settings["enabled"] is False
    assert settings["cards"] == []


def test_form_values_mask_secrets() -> None:
    values = form_values(
        FULL,
        {"rate": "2.50", "threshold": 1250, "enabled": True},
        {"api_key": API_KEY},
        currency="BDT",
    )
    assert values["api_key"] == "••••1234"
    assert API_KEY not in json.dumps(values)
    assert values["rate"] == "2.50"
    assert values["threshold"] == "12.50"
    assert values["enabled"] is True
    assert form_values(FULL, {}, {}, currency="USD")["api_key"] == ""


# ----------------------------------------------------------------------- SecretBox


def test_secret_box_round_trip() -> None:
    box = SecretBox([Fernet.generate_key().decode()])
    token = box.encrypt({"api_key": API_KEY, "other": "ü"})
    assert isinstance(token, str)
    assert API_KEY not in token
    assert box.decrypt(token) == {"api_key": API_KEY, "other": "ü"}
    assert box.encrypt({}) == ""
    assert box.decrypt("") == {}


def test_secret_box_rotation() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = SecretBox([old]).encrypt({"api_key": API_KEY})
    both = SecretBox([new, old])
    assert both.decrypt(token) == {"api_key": API_KEY}
    rotated = both.rotate(token)
    assert SecretBox([new]).decrypt(rotated) == {"api_key": API_KEY}
    with pytest.raises(SecretsUnreadable):
        SecretBox([old]).decrypt(rotated)


def test_wrong_key_raises_without_leaking() -> None:
    key, other = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    token = SecretBox([key]).encrypt({"api_key": API_KEY})
    with pytest.raises(SecretsUnreadable) as info:
        SecretBox([other]).decrypt(token)
    message = str(info.value)
    assert "HAAT_SECRETS_KEYS" in message
    for leak in (token, API_KEY, key, other):
        assert leak not in message
    assert info.value.__cause__ is None and info.value.__suppress_context__
    with pytest.raises(SecretsUnreadable):
        SecretBox([key]).decrypt("not-a-token")


def test_secret_box_repr_hides_keys() -> None:
    key = Fernet.generate_key().decode()
    assert key not in repr(SecretBox([key]))


def test_invalid_keys_are_refused() -> None:
    with pytest.raises(SecretsMisconfigured) as info:
        SecretBox(["not-a-key"])
    assert "not-a-key" not in str(info.value)
    with pytest.raises(SecretsMisconfigured):
        SecretBox([])
    with pytest.raises(SecretsMisconfigured):
        keys_from_config({"HAAT_ENV": "production", "HAAT_SECRETS_KEYS": "nope"})


def test_keys_from_config_reads_comma_separated_list() -> None:
    a, b = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    config = {"HAAT_ENV": "production", "HAAT_SECRETS_KEYS": f" {a} , {b} ,"}
    assert keys_from_config(config) == [a, b]


def test_production_without_keys_is_misconfigured() -> None:
    with pytest.raises(SecretsMisconfigured) as info:
        keys_from_config({"HAAT_ENV": "production", "SECRET_KEY": "x" * 40})
    assert "Fernet.generate_key()" in str(info.value)


def test_development_derives_a_stable_key_from_secret_key() -> None:
    config = {"HAAT_ENV": "development", "SECRET_KEY": "dev-secret", "HAAT_SECRETS_KEYS": ""}
    keys = keys_from_config(config)
    assert len(keys) == 1 and keys == keys_from_config(dict(config))
    token = SecretBox.from_config(config).encrypt({"api_key": API_KEY})
    assert SecretBox(keys_from_config(dict(config))).decrypt(token) == {"api_key": API_KEY}
    other = {**config, "SECRET_KEY": "another-secret"}
    assert keys_from_config(other) != keys
    with pytest.raises(SecretsUnreadable):
        SecretBox.from_config(other).decrypt(token)


def test_mask() -> None:
    assert mask("sk_live_abcd1234") == "••••1234"
    assert mask("abcd") == "••••"
    assert mask("") == ""
