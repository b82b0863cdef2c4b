"""Custom domain rules: what a merchant may type, which DNS record it needs, and whether
DNS points it at the platform yet.

* A host name is stored lower-case and in its ASCII (punycode) form, the form browsers
  send in the ``Host`` header: ``দোকান.বাংলা`` is ``xn--p5b7ah1gxc.xn--54b7fta0cc``.
  ``https://`` in front and a ``/`` at the end are dropped; a path, a port or an IP
  address is refused with a message that says so.
* A subdomain (``shop.example.com``) needs a CNAME record to the store's platform host
  (or ``HAAT_DNS_CNAME_TARGET``). An apex domain (``example.com``, ``example.com.bd``)
  cannot have a CNAME, so it needs A records to ``HAAT_DNS_A_RECORD``.
* "Check DNS" resolves the domain with :func:`lookup` (``socket.getaddrinfo`` in a worker
  thread, so a slow resolver cannot hold the request for longer than the timeout) and
  compares its addresses with the platform's.
* Pointing at the platform proves nothing about *which* store owns a domain (every
  store's host has the same addresses), so the store must also publish a TXT record
  ``_haat-challenge.<domain>`` holding ``haat-verify=<its token>`` (read with dnspython).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as LookupTimeout
from dataclasses import dataclass

import dns.exception
import dns.resolver
import idna
from flask import current_app
from flask_babel import gettext as _

from core.admin.listing import InputError

MAX_HOSTNAME = 253
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):(//)?", re.IGNORECASE)
#: Second-level labels under which a country's registry sells names (example.com.bd,
#: shop.co.uk): such a name is an apex domain although it has three labels.
_REGISTRY_SECOND_LEVELS = frozenset({"ac", "co", "com", "edu", "gov", "info", "net", "org"})
# Lookups run here so a hanging resolver costs a worker thread, never the request.
_RESOLVER = ThreadPoolExecutor(max_workers=4, thread_name_prefix="haat-dns")


def clean_hostname(raw: str | None, platform_domain: str) -> str:
    """The ASCII, lower-case host name in ``raw``, or :class:`InputError` saying why not.

    Kind to what people paste: ``https://Shop.Example.com/`` is ``shop.example.com``.
    """
    text = (raw or "").strip()
    if not text:
        raise InputError(_("Enter a domain name, e.g. shop.example.com."))
    scheme = _SCHEME.match(text)
    if scheme and scheme.group(1).lower() in ("http", "https"):
        text = text[scheme.end():]
    elif scheme and scheme.group(2):
        raise InputError(_("Enter only the domain name, e.g. shop.example.com."))
    text = text.rstrip("/")
    if any(mark in text for mark in "/?#@"):
        raise InputError(_("Enter only the domain name, without a path: e.g. "
                           "shop.example.com, not shop.example.com/store."))
    if ":" in text:
        raise InputError(_("Leave out the port (the part after the colon)."))
    text = text.rstrip(".")
    if not text or any(ch.isspace() for ch in text):
        raise InputError(_("A domain name has no spaces, e.g. shop.example.com."))
    try:
        ipaddress.ip_address(text)
    except ValueError:
        pass
    else:
        raise InputError(_("Enter a domain name, not an IP address."))
    try:
        name = idna.encode(text, uts46=True).decode("ascii")
    except idna.IDNAError:
        raise InputError(_("That is not a valid domain name. Use letters, digits and "
                           "hyphens, with dots between the parts.")) from None
    labels = name.split(".")
    if (len(name) > MAX_HOSTNAME or len(labels) < 2
            or not all(_LABEL.fullmatch(label) for label in labels)
            or labels[-1].isdigit()):
        raise InputError(_("That is not a valid domain name. Use letters, digits and "
                           "hyphens, with dots between the parts, e.g. shop.example.com."))
    platform = platform_domain.lower().rstrip(".")
    if name == platform or name.endswith(f".{platform}"):
        raise InputError(_("Addresses under %(platform)s are given by the platform; your "
                           "store already has one. Enter a domain you own.",
                           platform=platform))
    return name


def display_name(hostname: str) -> str:
    """The host name as people read it: punycode labels back in their own script."""
    try:
        return idna.decode(hostname)
    except idna.IDNAError:
        return hostname


def is_apex(hostname: str) -> bool:
    """True for a registered domain itself (``example.com``, ``example.com.bd``), which
    DNS does not allow a CNAME on; false for its subdomains (``shop.example.com``)."""
    labels = hostname.split(".")
    if len(labels) == 2:
        return True
    return (len(labels) == 3 and len(labels[-1]) == 2
            and labels[-2] in _REGISTRY_SECOND_LEVELS)


@dataclass(frozen=True)
class DnsRecord:
    """One record the merchant creates at their DNS provider; ``values`` empty when the
    platform has no fixed address to give (ask the operator)."""

    kind: str
    name: str
    values: tuple[str, ...]


def platform_host(slug: str) -> str:
    """The store's own address on the platform, ``<slug>.<platform domain>``."""
    return f"{slug}.{current_app.config['HAAT_PLATFORM_DOMAIN']}"


def cname_target(slug: str) -> str:
    """Where subdomains point: ``HAAT_DNS_CNAME_TARGET`` or the store's platform host."""
    return current_app.config.get("HAAT_DNS_CNAME_TARGET") or platform_host(slug)


def apex_addresses() -> tuple[str, ...]:
    """The IP addresses of ``HAAT_DNS_A_RECORD`` (comma-separated), possibly none."""
    raw = current_app.config.get("HAAT_DNS_A_RECORD") or ""
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def record_for(hostname: str, slug: str) -> DnsRecord:
    """The DNS record that makes ``hostname`` reach the store."""
    if is_apex(hostname):
        return DnsRecord("A", hostname, apex_addresses())
    return DnsRecord("CNAME", hostname, (cname_target(slug),))


CHALLENGE_PREFIX = "_haat-challenge."
CHALLENGE_VALUE = "haat-verify="


def ownership_record(hostname: str, token: str) -> DnsRecord:
    """The TXT record that proves this store owns ``hostname``."""
    return DnsRecord("TXT", CHALLENGE_PREFIX + hostname, (CHALLENGE_VALUE + token,))


def lookup_txt(name: str, timeout: float = 3.0) -> frozenset[str] | None:
    """The TXT strings published at ``name``, or ``None`` when there are none (or no
    answer within ``timeout`` seconds)."""

    def resolve() -> frozenset[str]:
        answer = dns.resolver.resolve(name, "TXT", lifetime=timeout)
        return frozenset(b"".join(record.strings).decode("utf-8", "replace")
                         for record in answer)

    future = _RESOLVER.submit(resolve)
    try:
        return future.result(timeout=timeout + 0.5) or None
    except (dns.exception.DNSException, OSError, UnicodeError, LookupTimeout):
        return None


def lookup(hostname: str, timeout: float = 3.0) -> frozenset[str] | None:
    """The IP addresses ``hostname`` resolves to, or ``None`` when it does not resolve
    (unknown name, no network, or no answer within ``timeout`` seconds)."""

    def resolve() -> frozenset[str]:
        answers = socket.getaddrinfo(hostname, None, proto=socket.IPPROTO_TCP)
        return frozenset(str(info[4][0]) for info in answers)

    future = _RESOLVER.submit(resolve)
    try:
        return future.result(timeout=timeout) or None
    except (OSError, UnicodeError, LookupTimeout):
        return None


@dataclass(frozen=True)
class DnsCheck:
    """The outcome of "Check DNS": ``ok`` when the domain reaches the platform."""

    ok: bool
    found: frozenset[str]
    expected: frozenset[str]
    message: str


def check_dns(hostname: str, slug: str, token: str) -> DnsCheck:
    """Does this store own ``hostname`` (its TXT record holds ``token``), and does the
    name resolve to one of the platform's addresses (those of the CNAME target, the
    store's platform host or ``HAAT_DNS_A_RECORD``)?"""
    timeout = float(current_app.config.get("HAAT_DNS_TIMEOUT", 3))
    challenge = ownership_record(hostname, token)
    if challenge.values[0] not in (lookup_txt(challenge.name, timeout) or ()):
        return DnsCheck(False, frozenset(), frozenset(), _(
            "The TXT record %(name)s with the value %(value)s was not found yet. It shows "
            "that the domain is yours; create it below (new records can take a few hours "
            "to be seen).", name=challenge.name, value=challenge.values[0]))
    expected: set[str] = set(apex_addresses())
    for host in {cname_target(slug), platform_host(slug)}:
        expected |= lookup(host, timeout) or set()
    found = lookup(hostname, timeout)
    if not expected:
        return DnsCheck(False, found or frozenset(), frozenset(), _(
            "Could not look up the platform's own address, so the domain cannot be "
            "checked now. Try again later, or ask the platform operator."))
    if found is None:
        return DnsCheck(False, frozenset(), frozenset(expected), _(
            "%(domain)s does not resolve yet. Create the DNS record below; new records can "
            "take from a few minutes to a few hours to be seen.",
            domain=display_name(hostname)))
    if found & expected:
        return DnsCheck(True, found, frozenset(expected), _(
            "%(domain)s points at your store: it is verified and now serves your store.",
            domain=display_name(hostname)))
    return DnsCheck(False, found, frozenset(expected), _(
        "%(domain)s points at %(found)s, not at this platform (%(expected)s). Check the "
        "record below at your DNS provider; changes can take a few hours to be seen.",
        domain=display_name(hostname), found=", ".join(sorted(found)),
        expected=", ".join(sorted(expected))))
