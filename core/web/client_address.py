"""The client address that per-client limits count against.

An IPv4 address is one client. An IPv6 client usually holds a whole /64 (one home or
phone network) and can take a new address in it for every request, so limits keyed by
the full address would let it through: IPv6 clients are counted by their /64.
"""

from __future__ import annotations

import ipaddress

from flask_limiter.util import get_remote_address

#: The prefix length an IPv6 client is counted by.
IPV6_PREFIX = 64


def limit_key_address(address: str) -> str:
    """``address`` as a rate-limit key: IPv4 as it is, IPv6 as its /64 network."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:  # ::ffff:203.0.113.7 is an IPv4 client
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False))
    return str(parsed)


def client_address() -> str:
    """This request's client for per-client limits (see the module docstring)."""
    return limit_key_address(get_remote_address())
