"""Which client a connection or request belongs to, and how much of a worker each holds.

A client is the peer's address, unless the peer is a trusted proxy (``FORWARDED_ALLOW_IPS``,
given to gunicorn as ``forwarded_allow_ips``, so both agree): a proxy carries many clients'
requests and names the one it serves in ``X-Forwarded-For``, whose last entry is the address
the proxy itself saw (earlier entries are whatever the client sent, so never trusted). A
trusted peer that sends no ``X-Forwarded-For`` is its own client. Peers without an IP address
(a Unix socket) are trusted, as gunicorn trusts them.

On Heroku every connection comes from the router, so there (``DYNO`` set) the router is
trusted from any address and clients are told apart by the address it appends.

``ClientSlots`` counts what each client holds in one worker process (connections, or requests
in progress) and refuses one beyond ``MAX_CONNECTIONS_PER_CLIENT``. A worker runs its
greenlets one at a time and neither method yields, so the counts need no lock.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

_MAX_REMEMBERED = 4096  # peers whose trust is remembered before starting over
_MAX_CLIENT_LENGTH = 64  # an X-Forwarded-For entry is an address; anything longer is cut


class TrustedProxies:
    """Whether a peer address belongs to ``FORWARDED_ALLOW_IPS``; answers are remembered."""

    def __init__(self, allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        self._any = "*" in allowed
        self._networks = tuple(ipaddress.ip_network(entry) for entry in allowed if entry != "*")
        self._known: dict[str, bool] = {}

    def __contains__(self, peer: str) -> bool:
        trusted = self._known.get(peer)
        if trusted is None:
            trusted = self._any or self._in_networks(peer)
            if len(self._known) >= _MAX_REMEMBERED:
                self._known.clear()
            self._known[peer] = trusted
        return trusted

    def _in_networks(self, peer: str) -> bool:
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return True  # not an IP peer: a Unix socket
        return any(address in network for network in self._networks)


def client_of(environ: Mapping[str, Any], proxies: TrustedProxies) -> str:
    """The client a WSGI request comes from."""
    peer: str = environ.get("REMOTE_ADDR") or ""
    if peer in proxies:
        forwarded: str | None = environ.get("HTTP_X_FORWARDED_FOR")
        if forwarded:
            nearest = forwarded.rpartition(",")[2].strip()
            if nearest:
                return nearest[:_MAX_CLIENT_LENGTH]
    return peer


class ClientSlots:
    """At most ``limit`` held at once per client."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._held: dict[str, int] = {}

    def acquire(self, client: str) -> bool:
        held = self._held.get(client, 0)
        if held >= self.limit:
            return False
        self._held[client] = held + 1
        return True

    def release(self, client: str) -> None:
        held = self._held[client] - 1
        if held:
            self._held[client] = held
        else:
            del self._held[client]

    def held(self, client: str) -> int:
        return self._held.get(client, 0)
