"""The health endpoint and the read-replica router."""

import pytest
from django.conf import settings
from django.db import connections
from django.test import override_settings

from xinfang.core.db_router import ReplicaRouter, reporting
from xinfang.org.models import Region


@pytest.mark.django_db(databases="__all__")
def test_health_reports_each_dependency(client):
    body = client.get("/health/").json()
    assert body["status"] == "ok"
    assert set(body["checks"]) >= {"database", "broker", "storage"}
    assert body["checks"]["database"]["ok"] is True


def test_health_fails_with_503_when_the_broker_is_unreachable(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


@pytest.mark.redis
def test_health_checks_the_real_redis_broker(client, db, settings):
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis 未运行")
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    body = client.get("/health/").json()
    assert body["checks"]["broker"] == {"ok": True, "configured": True, "ms": body["checks"]["broker"]["ms"]}


def test_router_sends_reads_to_the_primary_without_a_replica(settings):
    databases = {"default": settings.DATABASES["default"]}
    with override_settings(DATABASES=databases), reporting() as alias:
        router = ReplicaRouter()
        assert alias == "default"
        assert router.db_for_read(Region) == "default"


def test_router_sends_report_reads_to_the_replica_and_writes_to_the_primary(settings):
    databases = {**settings.DATABASES, "replica": {**settings.DATABASES["default"]}}
    with override_settings(DATABASES=databases):
        router = ReplicaRouter()
        assert router.db_for_read(Region) == "default"
        with reporting() as alias:
            assert alias == "replica"
            assert router.db_for_read(Region) == "replica"
            assert router.db_for_write(Region) == "default"
        assert router.db_for_read(Region) == "default"
        assert router.allow_migrate("replica", "org") is False


@pytest.mark.skipif(
    "replica" not in settings.DATABASES, reason="设置 DATABASE_REPLICA_URL 后运行（CI 的 PostgreSQL 轮以同一服务器作为副本）"
)
@pytest.mark.django_db(databases=["default", "replica"], transaction=True)
def test_a_second_alias_pointing_at_the_same_server_serves_report_reads(county):
    assert connections["replica"].settings_dict["NAME"] == connections["default"].settings_dict["NAME"]
    with reporting():
        assert Region.objects.filter(code="T00").exists()
        assert Region.objects.filter(code="T00").db == "replica"


def test_postgresql_connections_run_without_jit(db):
    """JIT compiled a short search's plan for 600 ms (settings/base.py): every PostgreSQL connection turns it off."""
    connection = connections["default"]
    if connection.vendor != "postgresql":
        pytest.skip("JIT 只存在于 PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
    for alias, database in settings.DATABASES.items():  # a replica too, and after a URL's own options
        if database["ENGINE"] == "django.db.backends.postgresql":
            assert "-c jit=off" in database["OPTIONS"]["options"], alias
