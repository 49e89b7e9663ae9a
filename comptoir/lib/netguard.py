"""Outgoing HTTP to addresses an administrator typed (webhooks), without reaching inside the
network comptoir runs in.

A host name is resolved once and every address it resolves to must be public (not loopback,
private, link-local, site-local, shared, multicast or reserved, nor an IPv6 form of such an IPv4
address: mapped, translated, NAT64, 6to4, Teredo), unless the caller allows private ones. The
connection then goes to the address that was checked, not to a second resolution (so a name that
changes its answer between the check and the connection — DNS rebinding — gains nothing). Each
redirect is a new request and is checked the same way.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from comptoir.lib.deadline import DeadlineExceeded, socket_deadline

MAX_REDIRECTS = 3
REDIRECTS = {301, 302, 303, 307, 308}
KEEP_BYTES = 2048


class AddressRefused(Exception):
    """The URL cannot be used. ``reason`` is a stable code (scheme, credentials, port,
    unresolvable, private, redirects) for translated messages; the text, in English, is for logs
    and delivery rows."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    url: str


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


# IPv6 blocks reached through an IPv4 address written in their last 32 bits: the IPv4-translated
# form (RFC 2765) and the well-known NAT64 prefix (RFC 6052). A gateway on the way turns them into
# that IPv4 address, so they are as public as it is.
_EMBEDDING_LAST_32_BITS = (
    ipaddress.IPv6Network("::ffff:0:0:0/96"),
    ipaddress.IPv6Network("64:ff9b::/96"),
)
# Never public whatever follows: IPv4-compatible addresses (deprecated, RFC 4291, and "::" and
# "::1" with them), local-use NAT64 (RFC 8215) and site-local addresses (deprecated, RFC 3879;
# Python counts them global).
_NEVER_PUBLIC = (
    ipaddress.IPv6Network("::/96"),
    ipaddress.IPv6Network("64:ff9b:1::/48"),
    ipaddress.IPv6Network("fec0::/10"),
)


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to: mapped, translated, NAT64, 6to4, and both ends
    of a Teredo address."""
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address.teredo is not None:
        return list(address.teredo)
    if any(address in network for network in _EMBEDDING_LAST_32_BITS):
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    return []


def is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if any(address in network for network in _NEVER_PUBLIC):
            return False
        inside = embedded_ipv4(address)
        if inside:
            return all(is_public(ipv4) for ipv4 in inside)
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int, *, allow_private: bool) -> list[IPAddress]:
    """Every address of ``host``; AddressRefused when one of them may not be reached."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused("unresolvable", f"cannot resolve {host}: {exc}") from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if not allow_private and not is_public(address):
            raise AddressRefused("private", f"{host} resolves to {address}, a non-public address")
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise AddressRefused("unresolvable", f"cannot resolve {host}")
    return addresses


def url_check(url: str, *, allow_private: bool) -> tuple[str, int, list[IPAddress]]:
    """The scheme, port and checked addresses of ``url`` (http or https only)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise AddressRefused(
            "scheme", "only http:// and https:// URLs with a host name are allowed"
        )
    if parts.username or parts.password:
        raise AddressRefused("credentials", "URLs with a user name or password are not allowed")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise AddressRefused("port", "the port is not valid") from None
    return parts.scheme, port, resolve(parts.hostname, port, allow_private=allow_private)


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def post(
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    allow_private: bool,
    timeout: float = 10.0,
    deadline: float = 15.0,
) -> Response:
    """POST ``body`` to ``url``, following up to three redirects (each hop checked; the same
    POST is sent again). ``timeout`` bounds each read, ``deadline`` the whole exchange,
    redirects included (``DeadlineExceeded``, an OSError). Raises AddressRefused, OSError or
    http.client errors."""
    ends = time.monotonic() + deadline
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, port, addresses = url_check(url, allow_private=allow_private)
        parts = urlsplit(url)
        host = parts.hostname or ""
        kind = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
        left = ends - time.monotonic()
        if left <= 0:
            raise DeadlineExceeded(f"no complete answer within {deadline:g} s")
        # The timer ends the exchange; a read timeout a little longer never races it.
        connection = kind(host, port, str(addresses[0]), min(timeout, left + 1.0))

        def current(c: http.client.HTTPConnection = connection) -> socket.socket | None:
            return c.sock

        try:
            with socket_deadline(left, current) as expired:
                path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
                try:
                    connection.request("POST", path, body=body, headers=headers)
                    answer = connection.getresponse()
                    text = answer.read(KEEP_BYTES).decode("utf-8", errors="replace")
                    location = answer.getheader("Location")
                except (OSError, http.client.HTTPException) as exc:
                    # The last read's own timeout may trip just before the timer fires.
                    if expired.is_set() or time.monotonic() >= ends - 0.1:
                        raise DeadlineExceeded(f"no complete answer within {deadline:g} s") from exc
                    raise
            if expired.is_set():
                raise DeadlineExceeded(f"no complete answer within {deadline:g} s")
        finally:
            connection.close()
        if answer.status in REDIRECTS and location:
            url = urljoin(url, location)
            continue
        return Response(status=answer.status, body=text, url=url)
    raise AddressRefused("redirects", f"more than {MAX_REDIRECTS} redirects")
