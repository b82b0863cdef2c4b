"""The store a hook runs for."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ShopperIdentity", "StoreInfo"]


@dataclass(frozen=True)
class StoreInfo:
    """The store a hook, a plugin route or a job runs for. Read-only.

    Hooks receive it as ``store``; a plugin's own route gets it from
    :func:`core.sdk.current_store` (also ``flask.g.store``); a job gets a fresh one as its
    first argument. Secrets are only reachable through :meth:`plugin_settings`.
    """

    #: The store's id; never reused, even after the store is deleted.
    id: int
    #: The store's address on the platform: ``<slug>.<platform domain>``.
    slug: str
    #: The store's name, as the merchant wrote it.
    name: str
    #: The store's default language: ``"en"``, ``"bn"`` or ``"hy"``. The shopper's own
    #: language may differ (see :func:`core.sdk.current_locale` and ``PageContext.locale``).
    locale: str
    #: The store's currency, an ISO 4217 code (``"BDT"``). Every amount of the store is in it.
    currency: str
    #: The store's address with scheme and trailing slash, e.g.
    #: ``"https://dhaka-crafts.haat.example/"``: the host of the request when there is
    #: one (a custom domain too), else ``<slug>.<platform domain>`` (jobs, schedules).
    base_url: str
    #: The store's contact email; ``""`` when the merchant gave none.
    contact_email: str = ""
    #: The store's phone number as the merchant typed it; ``""`` when none.
    contact_phone: str = ""
    #: The store's postal address as one block of text; ``""`` when none.
    address: str = ""
    #: The merchant chose Bengali digits (০-৯) for amounts and counts on Bengali
    #: pages; :func:`core.sdk.format_money` and :func:`core.sdk.format_number` follow it.
    bengali_digits: bool = False
    #: The names of the plugins this store has switched on (and not paused by the
    #: circuit breaker).
    enabled_plugins: frozenset[str] = frozenset()
    #: The country the store sells from, ISO 3166-1 alpha-2 (``"BD"``); ``""`` when the
    #: merchant has not said.
    country: str = ""
    #: The store's IANA time zone (``"Asia/Dhaka"``); dates shown to the merchant use it.
    timezone: str = "UTC"
    #: Loads one plugin's settings (set by Haat; plugins call :meth:`plugin_settings`).
    _settings_loader: Callable[[str], Mapping[str, Any]] | None = field(
        default=None, repr=False, compare=False
    )

    def plugin_settings(self, plugin_name: str) -> Mapping[str, Any]:
        """This store's settings for ``plugin_name``: every field present, defaults
        filled in, secrets decrypted. ``{}`` for a plugin the store has not switched on."""
        if self._settings_loader is None:
            return {}
        return self._settings_loader(plugin_name)

    def url(self, path: str) -> str:
        """An absolute URL on this store's host: ``store.url("/saved")``."""
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")


def require_store(store: Any) -> StoreInfo:
    """``store`` itself when it is a :class:`StoreInfo`, else a clear ``TypeError``.

    The SDK's functions call this first, so passing something that only looks like a
    store fails on the first call in a test rather than later in production.
    """
    if not isinstance(store, StoreInfo):
        raise TypeError(
            f"expected core.sdk.StoreInfo, got {type(store).__name__}: use the `store` "
            "a hook receives, or core.sdk.current_store() in a plugin route")
    return store


@dataclass(frozen=True)
class ShopperIdentity:
    """The shopper signed in on this request, as ``core.sdk.current_shopper`` gives it.

    A shopper is known by a phone number or email address they proved they own with a
    one-time code (``/account/sign-in``); there is no password and no separate account
    row.
    """

    #: ``"sms"`` when they proved a phone number, ``"email"`` for an email address.
    channel: str
    #: The phone number in E.164 form (``"+8801712345678"``) or the email address in
    #: lower case.
    address: str
    #: This store's customer record keyed by that contact (``CustomerSnapshot.id``,
    #: ``OrderSnapshot.customer_id``); empty when they have none yet. A record keyed by
    #: an email that merely lists this phone is not theirs and is not included.
    customer_ids: tuple[int, ...] = ()
