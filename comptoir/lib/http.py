"""Small request helpers shared by the views, and the client's address."""

from __future__ import annotations

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

from django.conf import settings
from django.http import HttpRequest, QueryDict


def post_data(request: HttpRequest) -> QueryDict | None:
    """The posted form data, or None on a GET (a form bound to None is unbound)."""
    return request.POST if request.method == "POST" else None


def client_address(request: HttpRequest) -> str | None:
    """The address of the client who sent ``request``: the one definition every rate limit,
    sign-in throttle and log uses.

    The peer's address (``REMOTE_ADDR``), unless the peer is one of COMPTOIR_TRUSTED_PROXIES:
    then ``X-Forwarded-For`` is read from the right (each proxy appends the address it received
    the request from) and the first entry that is not a trusted proxy is the client. What lies
    left of it was written by the client and is ignored. An entry that is not an address ends
    the walk at the last trusted proxy. None when the server gave no peer address.
    """
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return None
    proxies: Sequence[IPv4Network | IPv6Network] = settings.COMPTOIR_TRUSTED_PROXIES
    if not proxies or not _trusted(peer, proxies):
        return str(peer)
    client = peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed(forwarded.split(",")) if forwarded.strip() else ():
        hop = _address(entry)
        if hop is None:
            break
        client = hop
        if not _trusted(hop, proxies):
            break
    return str(client)


def _address(value: str) -> IPv4Address | IPv6Address | None:
    try:
        found = ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(found, IPv6Address) and found.ipv4_mapped is not None:
        return found.ipv4_mapped
    return found


def _trusted(
    address: IPv4Address | IPv6Address, proxies: Sequence[IPv4Network | IPv6Network]
) -> bool:
    return any(address.version == net.version and address in net for net in proxies)
