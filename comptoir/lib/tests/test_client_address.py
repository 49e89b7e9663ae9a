"""The client's address: the peer's, or behind trusted proxies the right-most X-Forwarded-For
entry that no trusted proxy added (issue 17, point 4)."""

from ipaddress import ip_network

import pytest
from django.test import RequestFactory

from comptoir.lib.http import client_address

PROXIES = [ip_network("10.0.0.0/8"), ip_network("2001:db8:1::/48")]


def address(peer: str, forwarded: str | None = None) -> str | None:
    request = RequestFactory().get("/", REMOTE_ADDR=peer)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(request)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.COMPTOIR_TRUSTED_PROXIES = []
    assert address("10.0.0.2", "198.51.100.4") == "10.0.0.2"


def test_a_header_from_an_untrusted_peer_is_ignored(settings):
    settings.COMPTOIR_TRUSTED_PROXIES = PROXIES
    assert address("198.51.100.1", "203.0.113.9") == "198.51.100.1"


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        ("198.51.100.4", "198.51.100.4"),
        # The left part is what the client wrote itself: only the right-most untrusted counts.
        ("203.0.113.9, 198.51.100.4", "198.51.100.4"),
        ("203.0.113.9, 198.51.100.4, 10.1.2.3", "198.51.100.4"),
        ("2001:db8:2::7, 2001:db8:1::5", "2001:db8:2::7"),
        ("::ffff:198.51.100.4", "198.51.100.4"),
        # A value that is not an address ends the walk at the last trusted proxy.
        ("198.51.100.4, not-an-address", "10.0.0.2"),
        ("198.51.100.4, 10.1.2.3, ", "10.0.0.2"),
        # Only trusted proxies: the farthest of them.
        ("10.9.9.9, 10.1.2.3", "10.9.9.9"),
        ("", "10.0.0.2"),
    ],
)
def test_behind_trusted_proxies_the_right_most_untrusted_entry_is_the_client(
    settings, forwarded, client
):
    settings.COMPTOIR_TRUSTED_PROXIES = PROXIES
    assert address("10.0.0.2", forwarded) == client


def test_a_request_without_a_peer_address_has_no_client_address(settings):
    settings.COMPTOIR_TRUSTED_PROXIES = PROXIES
    assert address("") is None
