"""The access log names the client as the rate limits do (issue 17, point 4)."""

from ipaddress import ip_network

import pytest


@pytest.mark.django_db
def test_the_access_log_names_the_client_behind_a_trusted_proxy(client, settings, caplog):
    settings.COMPTOIR_TRUSTED_PROXIES = [ip_network("127.0.0.1/32")]
    with caplog.at_level("INFO", logger="comptoir.access"):
        client.get("/healthz?token=secret", HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5")
    lines = [r.getMessage() for r in caplog.records if r.name == "comptoir.access"]
    assert len(lines) == 1
    assert lines[0].startswith('203.0.113.5 "GET /healthz" 200 ')
    assert "secret" not in lines[0]
