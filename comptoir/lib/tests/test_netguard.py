"""The outgoing-HTTP guard knows the IPv6 forms that carry an IPv4 address inside them."""

from __future__ import annotations

import ipaddress

import pytest

from comptoir.lib import netguard

# Each row: an address literal as a webhook URL may hold it, and why it must not be reached.
REFUSED = [
    ("::127.0.0.1", "IPv4-compatible loopback (deprecated ::/96)"),
    ("::8.8.8.8", "IPv4-compatible, deprecated form nobody routes"),
    ("::ffff:127.0.0.1", "IPv4-mapped loopback"),
    ("::ffff:0:127.0.0.1", "IPv4-translated loopback (SIIT)"),
    ("::ffff:0:10.0.0.1", "IPv4-translated private"),
    ("64:ff9b::7f00:1", "NAT64 of 127.0.0.1"),
    ("64:ff9b::a9fe:a9fe", "NAT64 of 169.254.169.254, the cloud metadata address"),
    ("64:ff9b::c0a8:101", "NAT64 of 192.168.1.1"),
    ("64:ff9b:1::a00:1", "local-use NAT64 prefix"),
    ("2002:7f00:1::", "6to4 of 127.0.0.1"),
    ("2002:a9fe:a9fe::1", "6to4 of 169.254.169.254"),
    ("2002:ac10:1::", "6to4 of 172.16.0.1"),
    ("fec0::1", "site-local"),
    ("feff::1", "site-local, top of the block"),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo with client 127.0.0.1"),
    ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "Teredo with client 10.0.0.1"),
    ("::1", "loopback"),
    ("::", "unspecified"),
    ("fe80::1", "link-local"),
    ("fc00::1", "unique local"),
    ("ff02::1", "multicast"),
    ("2001:db8::1", "documentation"),
]

ALLOWED = [
    ("2606:4700::6810:84e5", "a public IPv6 address"),
    ("::ffff:8.8.8.8", "IPv4-mapped public"),
    ("64:ff9b::808:808", "NAT64 of a public address"),
    ("2002:808:808::1", "6to4 of a public address"),
    ("93.184.215.14", "a public IPv4 address"),
]


@pytest.mark.parametrize(("address", "why"), REFUSED)
def test_ipv6_forms_of_non_public_addresses_are_refused(address, why):
    assert not netguard.is_public(ipaddress.ip_address(address)), why


@pytest.mark.parametrize(("address", "why"), REFUSED)
def test_a_webhook_url_naming_such_an_address_is_refused_before_anything_is_sent(address, why):
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(netguard.AddressRefused) as refused:
        netguard.url_check(f"http://{host}/hook", allow_private=False)
    assert refused.value.reason == "private", why


@pytest.mark.parametrize(("address", "why"), ALLOWED)
def test_ipv6_forms_of_public_addresses_stay_allowed(address, why):
    assert netguard.is_public(ipaddress.ip_address(address)), why
