"""Pure rule: which address a request comes from, trusting X-Forwarded-For only from configured proxies."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

__all__ = ["Network", "parse_trusted_proxies", "client_address_from"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted_proxies(value: str) -> tuple[Network, ...]:
    """``10.0.0.1, 192.168.0.0/16, ::1`` → networks; raise ValueError naming a bad entry."""
    networks: list[Network] = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError as error:
            raise ValueError(f"GREENBALLOT_TRUSTED_PROXIES: {part!r} is not an address or network") from error
    return tuple(networks)


def _trusted(address: str, trusted: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip.version == net.version and ip in net for net in trusted)


def client_address_from(peer: str | None, forwarded_for: str | None, trusted: Sequence[Network]) -> str:
    """The peer address, unless the peer is a trusted proxy: then the nearest X-Forwarded-For hop that is not
    itself a trusted proxy (read from the right, as only the hops our proxies added can be believed)."""
    address = (peer or "unknown").strip() or "unknown"
    if not forwarded_for or not _trusted(address, trusted):
        return address[:64]
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address[:64]  # a garbled header is not believed
        if not _trusted(hop, trusted):
            return hop[:64]
        address = hop
    return address[:64]
