"""``rediss://`` as Heroku Redis serves it: TLS with a self-signed certificate."""

from __future__ import annotations

import pytest

from registry.cache.shared import RedisCache
from tests.support.services import PrivateRedis


@pytest.fixture(scope="module")
def tls_redis(tmp_path_factory):
    server = PrivateRedis(tls_directory=tmp_path_factory.mktemp("tls")).start()
    yield server
    server.stop()


def test_self_signed_certificate_accepted_when_the_url_asks(tls_redis):
    cache = RedisCache(tls_redis.url + "?ssl_cert_reqs=none", key_prefix="tls:", ttl_seconds=60)
    cache.ping()
    cache.put("k", b"value", revision=1)
    assert cache.get("k") == b"value"
    cache.close()


def test_self_signed_certificate_refused_by_default(tls_redis):
    cache = RedisCache(tls_redis.url, key_prefix="tls:", ttl_seconds=60)
    with pytest.raises(Exception, match="certificate verify failed"):
        cache.ping()
    assert cache.get("k") is None  # a refused cache is a miss, not an error
    cache.close()
