"""Validating, storing and reading a plugin's per-store settings.

Pure functions over a :class:`~core.sdk.PluginManifest`: no Flask, no database.

* :func:`validate_settings` turns a submitted settings form into clean values, secrets
  and error messages.
* :func:`to_json` turns clean values into what is stored in the JSON column;
  :func:`effective_settings` turns stored JSON (plus decrypted secrets) back into what a
  plugin sees at runtime.
* :func:`form_values` gives the values to render the settings form with, secrets masked.

Secrets travel separately from ordinary values everywhere: ``values`` never holds a
secret, so it is safe to store as plain JSON, log or show.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.pluginhost.secrets import mask
from core.sdk import (
    BoolField,
    ChoiceField,
    Field,
    FieldError,
    MoneyField,
    MultiChoiceField,
    NumberField,
    PluginManifest,
    ShippingZonesField,
    TextField,
    WidgetField,
)
from core.sdk.fields import REQUIRED_MESSAGE

__all__ = [
    "FORM_ERROR",
    "SettingsResult",
    "effective_settings",
    "form_values",
    "submitted_value",
    "to_json",
    "validate_settings",
]

#: The ``errors`` key for messages about the form as a whole.
FORM_ERROR = ""


@dataclass(frozen=True)
class SettingsResult:
    """The outcome of :func:`validate_settings`.

    ``values`` holds the parsed non-secret settings; ``secrets`` the plaintext of secret
    fields (to be encrypted by the caller); ``errors`` maps a field name, or ``""`` for
    the whole form, to a message.
    """

    values: dict[str, Any]
    secrets: dict[str, str]
    errors: dict[str, str]

    @property
    def ok(self) -> bool:
        """True when there are no errors and the settings may be saved."""
        return not self.errors

    def __repr__(self) -> str:
        # Secrets are plaintext here; a repr must never show them.
        return (
            f"SettingsResult(values={self.values!r}, secrets=<{len(self.secrets)} hidden>, "
            f"errors={self.errors!r})"
        )


def validate_settings(
    manifest: PluginManifest,
    form: Mapping[str, Any],
    *,
    currency: str,
    stored_secrets: Mapping[str, str],
    explain: Callable[[FieldError], str] = str,
) -> SettingsResult:
    """Validate a submitted settings form against ``manifest``.

    ``form`` may be a werkzeug ``MultiDict`` (``getlist`` is used for multi-choice
    fields and check boxes) or a plain mapping. Keys that are not fields are ignored. A
    check box that was not submitted gets its default (:class:`~core.sdk.BoolField`).
    Secret fields are write-only: an empty submission keeps ``stored_secrets[name]``.
    When every field is valid, the manifest's ``validate_settings`` checks the whole
    form (secrets included); its messages for unknown field names go under ``""``.

    ``explain`` turns a :class:`~core.sdk.FieldError` into the message shown: the admin
    passes one that translates core's own messages into the merchant's language.
    """
    values: dict[str, Any] = {}
    secrets: dict[str, str] = {}
    errors: dict[str, str] = {}
    for field in manifest.settings:
        raw = submitted_value(form, field)
        try:
            if field.secret:
                secret = _parse_secret(field, raw, stored_secrets, currency=currency)
                if secret:
                    secrets[field.name] = secret
            else:
                values[field.name] = field.parse(raw, currency=currency)
        except FieldError as exc:
            errors[field.name] = explain(exc)

    if not errors and manifest.validate_settings is not None:
        hidden = {f.name: secrets.get(f.name, "") for f in manifest.settings if f.secret}
        merged = {**values, **hidden}
        _merge_form_errors(
            manifest, errors, _run_form_validator(manifest.validate_settings, merged, explain)
        )
    return SettingsResult(values=values, secrets=secrets, errors=errors)


def to_json(manifest: PluginManifest, values: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON-safe form of clean ``values`` for storage.

    ``Decimal`` becomes ``str`` (floats would lose exactness); money stays integer minor
    units. Secret fields and keys that are not fields are dropped.
    """
    stored: dict[str, Any] = {}
    for field in manifest.settings:
        if field.secret or field.name not in values:
            continue
        stored[field.name] = _jsonable(values[field.name])
    return stored


def effective_settings(
    manifest: PluginManifest,
    stored_values: Mapping[str, Any],
    secrets: Mapping[str, str],
) -> dict[str, Any]:
    """The settings a plugin sees at runtime.

    Every field is present: the stored value converted back to the field's type (number
    fields give ``int`` or ``Decimal``, money fields integer minor units), or the field's
    default when missing or unreadable. Secret fields come from ``secrets`` (``""`` when
    unset). Stored keys that are no longer fields are dropped.
    """
    effective: dict[str, Any] = {}
    for field in manifest.settings:
        if field.secret:
            secret = secrets.get(field.name)
            effective[field.name] = secret if isinstance(secret, str) else ""
            continue
        raw = stored_values.get(field.name)
        if raw is None:
            effective[field.name] = field.empty_value()
            continue
        try:
            effective[field.name] = _decode(field, raw)
        except (ValueError, TypeError, ArithmeticError):  # InvalidOperation too
            # Stored data from an older plugin version or a bad edit: fall back safely.
            effective[field.name] = field.empty_value()
    return effective


def form_values(
    manifest: PluginManifest,
    stored_values: Mapping[str, Any],
    secrets: Mapping[str, str],
    *,
    currency: str,
) -> dict[str, Any]:
    """Values to render the settings form with; secret fields show only :func:`mask`."""
    current = effective_settings(manifest, stored_values, secrets)
    shown: dict[str, Any] = {}
    for field in manifest.settings:
        if field.secret:
            shown[field.name] = mask(current[field.name])
        else:
            shown[field.name] = field.to_form(current[field.name], currency=currency)
    return shown


# ------------------------------------------------------------------------- helpers


def submitted_value(form: Mapping[str, Any], field: Field) -> Any:
    """What ``form`` holds for ``field``; ``None`` when it was not submitted at all.

    A multi-choice field gives the list of ticked values. A check box gives the *last*
    value sent: the admin form sends a hidden ``"0"`` before each box and the box adds
    ``"1"`` after it when ticked (see :class:`~core.sdk.BoolField`).
    """
    if isinstance(field, WidgetField):
        return field.read_form(form)
    if isinstance(field, (MultiChoiceField, ShippingZonesField)) and hasattr(form, "getlist"):
        return form.getlist(field.name)
    if isinstance(field, BoolField) and hasattr(form, "getlist"):
        sent = form.getlist(field.name)
        return sent[-1] if sent else None
    return form.get(field.name)


def _parse_secret(field: Field, raw: Any, stored: Mapping[str, str], *, currency: str) -> str:
    submitted = "" if raw is None else str(raw).strip()
    if submitted:
        return str(field.parse(submitted, currency=currency))
    kept = stored.get(field.name) or ""
    if not kept and field.required:
        raise FieldError(REQUIRED_MESSAGE, label=field.label)
    return kept


def _run_form_validator(
    validator: Callable[[Mapping[str, Any]], Mapping[str, str]], merged: Mapping[str, Any],
    explain: Callable[[FieldError], str],
) -> Mapping[str, Any]:
    try:
        return validator(merged) or {}
    except FieldError as exc:
        return {FORM_ERROR: explain(exc)}


def _merge_form_errors(
    manifest: PluginManifest, errors: dict[str, str], found: Mapping[str, Any]
) -> None:
    names = {f.name for f in manifest.settings}
    for name, message in found.items():
        if not message:
            continue
        key = name if name in names else FORM_ERROR
        # Several form-level messages are joined rather than overwritten.
        errors[key] = f"{errors[key]} {message}" if key in errors else str(message)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _decode(field: Field, raw: Any) -> Any:
    """Convert one stored JSON value back to ``field``'s runtime type."""
    if isinstance(field, MoneyField):
        return _to_int(raw)
    if isinstance(field, NumberField):
        if isinstance(raw, bool):
            raise TypeError("not a number")
        number = Decimal(str(raw))
        if not number.is_finite():
            raise ValueError("not finite")
        if field.integer:
            if number != number.to_integral_value():
                raise ValueError("not whole")
            return int(number)
        return number
    if isinstance(field, BoolField):
        if not isinstance(raw, bool):
            raise TypeError("not a bool")
        return raw
    if isinstance(field, MultiChoiceField):
        if not isinstance(raw, list):
            raise TypeError("not a list")
        allowed = [v for v, _ in field.choices]
        # Keep choices order; silently forget options the plugin no longer offers.
        return [v for v in allowed if v in raw]
    if isinstance(field, ShippingZonesField):
        if isinstance(raw, str):  # an older version stored "zone-a, zone-b"
            return field.to_form(raw)
        if not isinstance(raw, list):
            raise TypeError("not a list")
        return [str(v) for v in raw]
    if isinstance(field, ChoiceField):
        if raw not in {v for v, _ in field.choices}:
            raise ValueError("not an option")
        return raw
    if isinstance(field, TextField):
        if not isinstance(raw, str):
            raise TypeError("not text")
        return raw
    return raw


def _to_int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise TypeError("not an amount")
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str):
        return int(raw.strip())
    if isinstance(raw, Decimal) and raw == raw.to_integral_value():
        return int(raw)
    raise TypeError("not an amount")
