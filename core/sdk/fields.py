"""Typed settings fields: what a merchant fills in on a plugin's settings page."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from core.i18n import to_ascii_digits
from core.money import Money, UnknownCurrency

if TYPE_CHECKING:  # a plugin's translated text (core.sdk.PluginText.lazy), the store
    from core.sdk.store import StoreInfo
    from core.sdk.text import LazyText

__all__ = [
    "BoolField",
    "ChoiceField",
    "Field",
    "FieldError",
    "LongTextField",
    "MoneyField",
    "MultiChoiceField",
    "NumberField",
    "SecretField",
    "ShippingZonesField",
    "TextField",
    "UrlField",
    "Validator",
    "WidgetContext",
    "WidgetField",
    "ascii_digits",
]


def N_(message: str) -> str:
    """Marks one of core's own messages for Haat's admin catalogue (gettext's no-op
    marker): the admin translates it when it shows it. Plugins use ``PluginText``."""
    return message


class FieldError(ValueError):
    """A settings value is invalid; the message is shown next to the field.

    ``FieldError("Use a code like BD-12.")`` carries a plugin's own words, already in the
    right language (``PluginText``) or a lazy text. Core's own messages are English message
    ids with ``%(name)s`` placeholders plus their ``variables``; the admin translates them
    into the merchant's language when it shows them. ``str(error)`` is the message with
    its variables filled in.
    """

    def __init__(self, message: str, /, **variables: Any) -> None:
        super().__init__(message)
        #: The message; for core's own messages, the English message id.
        self.message = message
        #: Values for the message's ``%(name)s`` placeholders.
        self.variables = variables

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.variables if self.variables else text


#: The message of a required field left empty (``label``: the field's label).
REQUIRED_MESSAGE = N_("%(label)s is required.")


#: A settings field's check: takes the parsed value, returns an error message or ``None``.
Validator = Callable[[Any], "str | None"]

#: What a shipping zone id looks like (``ShippingRate.zone``: "inside-dhaka").
_ZONE_ID = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")

#: What an unticked check box submits (compared lowercased and trimmed).
_UNTICKED = frozenset({"", "0", "false", "off"})


@dataclass(frozen=True)
class Field:
    """A typed setting a merchant fills in on the plugin's settings page.

    Use one of the subclasses; every one takes these parameters. A plugin reads the
    values with ``store.plugin_settings("<plugin name>")[name]``.
    """

    #: The setting's key in ``store.plugin_settings(...)`` and the form field's name: a
    #: Python identifier, unique within the manifest. Never rename it: stored values
    #: are kept under it.
    name: str
    #: The field's label on the settings page.
    label: str | LazyText
    #: One or two sentences shown under the field; ``""`` for none.
    help: str | LazyText = ""
    #: The value a plugin gets before the merchant has saved the settings, and when an
    #: optional field is left empty. In the field's value type (minor units for a
    #: ``MoneyField``); ``None`` unless given.
    default: Any = None
    #: The form cannot be saved while the field is empty (a ``SecretField``: until a
    #: value is stored).
    required: bool = False
    #: Callables that take the parsed value (never an empty one) and return an error
    #: message to show next to the field, or ``None`` when it is fine.
    validators: tuple[Validator, ...] = ()

    #: The form control: ``"text"``, ``"longtext"``, ``"number"``, ``"money"``,
    #: ``"bool"``, ``"choice"``, ``"multichoice"``, ``"url"``, ``"secret"``,
    #: ``"shipping_zones"`` or ``"widget"``.
    kind: ClassVar[str] = "field"
    #: Secrets are encrypted at rest, write-only and masked.
    secret: ClassVar[bool] = False

    def parse(self, raw: Any, *, currency: str = "USD") -> Any:
        """Turn submitted form data into a value, or raise ``FieldError``."""
        value = self._parse(raw, currency=currency)
        if self._is_empty(value):
            if self.required:
                raise FieldError(REQUIRED_MESSAGE, label=self.label)
            return self.empty_value()
        for validator in self.validators:
            problem = validator(value)
            if problem:
                raise FieldError(problem)
        return value

    def _parse(self, raw: Any, *, currency: str) -> Any:
        return raw.strip() if isinstance(raw, str) else raw

    @staticmethod
    def _is_empty(value: Any) -> bool:
        return value is None or value == "" or value == [] or value == ()

    def empty_value(self) -> Any:
        """The value of a field left empty or never saved: ``default``."""
        return self.default

    def to_form(self, value: Any, *, currency: str = "USD") -> Any:
        """The stored value as the form should show it."""
        return "" if value is None else value


@dataclass(frozen=True)
class TextField(Field):
    """One line of text; the value is a ``str``, trimmed (``""`` when left empty)."""

    #: The most characters allowed, counted after trimming; longer is refused.
    max_length: int = 500
    kind: ClassVar[str] = "text"

    def _parse(self, raw: Any, *, currency: str) -> Any:
        text = "" if raw is None else str(raw).strip()
        if len(text) > self.max_length:
            raise FieldError(N_("Use at most %(count)s characters."), count=self.max_length)
        return text


@dataclass(frozen=True)
class LongTextField(TextField):
    """Several lines of text (shown as a text area)."""

    max_length: int = 5000
    kind: ClassVar[str] = "longtext"


@dataclass(frozen=True)
class NumberField(Field):
    """A number; ``integer=True`` refuses fractions. Values are ``int`` or ``Decimal``."""

    #: The smallest number accepted; ``None`` for no lower bound.
    min_value: Decimal | int | None = None
    #: The largest number accepted; ``None`` for no upper bound.
    max_value: Decimal | int | None = None
    #: Refuse fractions; the value is then an ``int`` (else a ``Decimal``, never a
    #: float).
    integer: bool = False
    kind: ClassVar[str] = "number"

    def _parse(self, raw: Any, *, currency: str) -> Any:
        text = "" if raw is None else to_ascii_digits(str(raw).strip())
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise FieldError(N_("Enter a number.")) from exc
        if not number.is_finite():
            raise FieldError(N_("Enter a number."))
        if self.integer:
            if number != number.to_integral_value():
                raise FieldError(N_("Enter a whole number."))
            number = int(number)
        if self.min_value is not None and number < self.min_value:
            raise FieldError(N_("Enter %(min)s or more."), min=self.min_value)
        if self.max_value is not None and number > self.max_value:
            raise FieldError(N_("Enter %(max)s or less."), max=self.max_value)
        return number

    def to_form(self, value: Any, *, currency: str = "USD") -> Any:
        return "" if value is None else str(value)


@dataclass(frozen=True)
class MoneyField(Field):
    """An amount in the store's currency, stored as integer minor units.

    The merchant types ``120.50``; a BDT store's plugin gets ``12050``. Make a
    ``Money(value, store.currency)`` to compute with it.
    """

    #: The smallest amount accepted, in minor units; ``0`` refuses negative amounts,
    #: ``None`` accepts any.
    min_amount: int | None = 0
    kind: ClassVar[str] = "money"

    def _parse(self, raw: Any, *, currency: str) -> Any:
        text = "" if raw is None else to_ascii_digits(str(raw).strip()).replace(",", "")
        if not text:
            return None
        try:
            money = Money.from_decimal(Decimal(text), currency)
        except (InvalidOperation, ValueError, UnknownCurrency) as exc:
            raise FieldError(N_("Enter an amount, e.g. 120 or 99.50.")) from exc
        if self.min_amount is not None and money.amount < self.min_amount:
            raise FieldError(N_("Enter an amount of zero or more."))
        return money.amount

    def to_form(self, value: Any, *, currency: str = "USD") -> Any:
        return "" if value is None else str(Money(int(value), currency).to_decimal())


@dataclass(frozen=True)
class BoolField(Field):
    """A check box; its value is ``True`` (ticked) or ``False``.

    One rule everywhere: a value that was **not submitted** gives the field's
    ``default``; a value submitted **unticked** (``"0"``, ``""``, ``"false"``, ``"off"``
    or ``False``) gives ``False``; anything else submitted (``"1"``, ``"on"``, ``True``)
    gives ``True``. The admin's settings form sends a hidden ``"0"`` before each check
    box (a ticked box sends ``"1"`` after it, and the last value counts), so saving the
    form with a box unticked stores ``False``. A store that never saved the settings,
    and ``haat_enable_plugin(store, name, settings={})`` in a test, both get the default.
    """

    #: The value before the merchant has saved the form, and whenever the setting is
    #: not submitted at all. ``False`` unless given.
    default: Any = False
    kind: ClassVar[str] = "bool"

    def checked(self, raw: Any) -> bool:
        """What a submitted ``raw`` value means: ``default`` when ``raw`` is ``None`` (not
        submitted), ``False`` for an unticked box, ``True`` otherwise. No validators."""
        if raw is None:
            return bool(self.default)
        if isinstance(raw, str):
            return raw.strip().lower() not in _UNTICKED
        return bool(raw)

    def parse(self, raw: Any, *, currency: str = "USD") -> Any:
        """``True`` or ``False`` by the rule above, then checked by ``validators``."""
        value = self.checked(raw)
        if raw is not None:  # a default is the plugin's own choice: never refused
            for validator in self.validators:
                problem = validator(value)
                if problem:
                    raise FieldError(problem)
        return value

    def to_form(self, value: Any, *, currency: str = "USD") -> Any:
        """Whether the box is shown ticked."""
        return bool(value)


@dataclass(frozen=True)
class ChoiceField(Field):
    """One of ``choices``: a sequence of ``(value, label)`` pairs. The value is the
    chosen ``value`` (a ``str``), or ``default`` when none is chosen."""

    #: ``(value, label)`` pairs in the order shown: the plugin gets ``value``, the
    #: merchant sees ``label``.
    choices: tuple[tuple[str, str | LazyText], ...] = ()
    kind: ClassVar[str] = "choice"

    def _parse(self, raw: Any, *, currency: str) -> Any:
        value = "" if raw is None else str(raw)
        if value and value not in {v for v, _ in self.choices}:
            raise FieldError(N_("Choose one of the options."))
        return value


@dataclass(frozen=True)
class MultiChoiceField(Field):
    """Any number of ``choices``; the value is a list in the order of ``choices``."""

    #: ``(value, label)`` pairs in the order shown (and of the value's list).
    choices: tuple[tuple[str, str | LazyText], ...] = ()
    #: The values ticked before the merchant has saved the settings; none unless given.
    default: Any = ()
    kind: ClassVar[str] = "multichoice"

    def _parse(self, raw: Any, *, currency: str) -> Any:
        picked = [raw] if isinstance(raw, str) else list(raw or [])
        allowed = [v for v, _ in self.choices]
        unknown = set(picked) - set(allowed)
        if unknown:
            raise FieldError(N_("Choose only from the options."))
        return [v for v in allowed if v in picked]

    def empty_value(self) -> Any:
        return list(self.default)


@dataclass(frozen=True)
class UrlField(TextField):
    """An ``http(s)://`` address."""

    max_length: int = 2000
    kind: ClassVar[str] = "url"

    def _parse(self, raw: Any, *, currency: str) -> Any:
        text = super()._parse(raw, currency=currency)
        if text:
            parts = urlsplit(text)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise FieldError(N_("Enter a full address starting with https://"))
        return text


@dataclass(frozen=True)
class SecretField(TextField):
    """An API key or password: encrypted at rest, never shown again, never logged.

    Leaving the field empty on save keeps the stored value.
    """

    kind: ClassVar[str] = "secret"
    secret: ClassVar[bool] = True




def ascii_digits(text: str) -> str:
    """``text`` with every decimal digit of any script as an ASCII digit: ``"১৮৫০"`` ->
    ``"1850"``. Read what merchants and shoppers type through it before you read a
    number from it (Haat's own number and money fields already do)."""
    return to_ascii_digits(text)


@dataclass(frozen=True)
class ShippingZonesField(Field):
    """Any of the store's shipping zones, ticked from a list of their names.

    The choices are the zones the store's shipping carriers have now
    (:attr:`core.sdk.ShippingCarrier.zones`), so the merchant never types a zone id.
    The value is a list of zone ids, the ``ShippingRate.zone`` of the rates quoted in
    them; compare it with ``checkout.shipping_rate.zone``. A zone that is later renamed
    or removed stays in the stored list (the form shows it as removed) until the
    merchant saves again. Empty (nothing ticked) gives ``default``, ``()`` unless given.
    """

    default: Any = ()
    kind: ClassVar[str] = "shipping_zones"

    def _parse(self, raw: Any, *, currency: str) -> Any:
        # A form sends the ticked boxes; a plain value may list ids between commas.
        picked = raw.split(",") if isinstance(raw, str) else list(raw or [])
        ids = [str(value).strip().lower() for value in picked if str(value).strip()]
        if any(len(value) > 100 or not _ZONE_ID.match(value) for value in ids):
            raise FieldError(N_("Choose only from the options."))
        return list(dict.fromkeys(ids))

    def empty_value(self) -> Any:
        return list(self.default)

    def to_form(self, value: Any, *, currency: str = "USD") -> Any:
        if isinstance(value, str):  # stored by an older version as "a, b"
            return [v.strip().lower() for v in value.split(",") if v.strip()]
        return list(value or [])


@dataclass(frozen=True)
class WidgetContext:
    """What :meth:`WidgetField.render` gets to draw its controls with."""

    #: The field's name: name your inputs ``name`` or ``"<name>-<part>"``.
    name: str
    #: The ``id`` of the field on the page (``"setting-<name>"``); give it to your
    #: first input, which the field's label points at.
    id: str
    #: What to show: ``to_form`` of the saved value, or, after the merchant's form was
    #: refused, ``read_form`` of what they sent (so nothing typed is lost).
    value: Any
    #: The field's error message, already in the merchant's language; ``""`` for none.
    #: The admin shows it under your controls; show finer errors next to your inputs.
    error: str
    #: The admin's language (``"bn"``): write your labels in it.
    locale: str
    #: The store: its ``currency``, ``country``, and ``bengali_digits`` for writing
    #: numbers the way the merchant reads them.
    store: StoreInfo
    #: The ids of the help and error paragraphs, for your inputs' ``aria-describedby``.
    describedby: str | None = None


@dataclass(frozen=True)
class WidgetField(Field):
    """A setting that draws its own form controls: a table of rows, a small builder.

    Subclass it and implement :meth:`render` (the controls' HTML) and :meth:`read_form`
    (the submitted inputs back into one value); ``_parse`` then turns that value into
    what is stored (JSON-safe: text, numbers, lists, dicts), raising ``FieldError``
    with a message in the merchant's language. The admin keeps everything else: the
    label, help, CSRF token, save button, the message under the field, and showing
    what was typed again when the form is refused. Keep the page usable without
    JavaScript: plain inputs, with a few spare empty rows to fill in.
    """

    kind: ClassVar[str] = "widget"

    def read_form(self, form: Mapping[str, Any]) -> Any:
        """The submitted value from ``form`` (a werkzeug ``MultiDict``: ``get`` and
        ``getlist``); by default the one input named ``name``."""
        return form.get(self.name)

    def render(self, context: WidgetContext) -> str:
        """The HTML of the controls (no ``<form>``, no label: the admin draws those).
        Escape everything you put in it (``markupsafe.escape`` or an autoescaping
        Jinja environment)."""
        raise NotImplementedError(f"{type(self).__name__} must implement render()")
