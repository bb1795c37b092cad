"""Who a request comes from (trusted proxies, X-Forwarded-For) and each client's share."""

from __future__ import annotations

import pytest

from registry.http.clients import ClientSlots, TrustedProxies, client_of

DEFAULT = TrustedProxies(("127.0.0.1", "::1"))


@pytest.mark.parametrize(
    ("environ", "client"),
    [
        ({"REMOTE_ADDR": "203.0.113.5"}, "203.0.113.5"),
        # an untrusted peer cannot name another client
        ({"REMOTE_ADDR": "203.0.113.5", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}, "203.0.113.5"),
        # a trusted proxy names the client it serves: the last entry, the one it added
        ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}, "198.51.100.1"),
        ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.9.9.9, 198.51.100.1"}, "198.51.100.1"),
        ({"REMOTE_ADDR": "::1", "HTTP_X_FORWARDED_FOR": " 2001:db8::7 "}, "2001:db8::7"),
        # a trusted peer without the header is its own client
        ({"REMOTE_ADDR": "127.0.0.1"}, "127.0.0.1"),
        ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": ""}, "127.0.0.1"),
        ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, "}, "127.0.0.1"),
        # a Unix socket peer is trusted, as gunicorn trusts it
        ({"REMOTE_ADDR": "", "HTTP_X_FORWARDED_FOR": "198.51.100.1"}, "198.51.100.1"),
        ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "x" * 500}, "x" * 64),
    ],
)
def test_the_client_of_a_request(environ, client):
    assert client_of(environ, DEFAULT) == client


def test_networks_and_any_address():
    proxies = TrustedProxies(("10.0.0.0/8", "2001:db8::/32"))
    assert "10.1.2.3" in proxies and "2001:db8::1" in proxies
    assert "11.0.0.1" not in proxies and "127.0.0.1" not in proxies
    assert "203.0.113.9" in TrustedProxies(("*",))
    assert "10.1.2.3" in proxies  # remembered, same answer


def test_each_client_holds_at_most_its_share():
    slots = ClientSlots(2)
    assert slots.acquire("a") and slots.acquire("a")
    assert not slots.acquire("a")
    assert slots.acquire("b")
    slots.release("a")
    assert slots.held("a") == 1 and slots.acquire("a")
    slots.release("a")
    slots.release("a")
    slots.release("b")
    assert slots.held("a") == slots.held("b") == 0
