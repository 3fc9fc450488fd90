"""docker-compose.yml scales: a proxy in front of every `web` replica,
workers that can be many, one beat, and RabbitMQ behind a profile."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
NGINX = (ROOT / "deploy" / "nginx.conf").read_text()
SCALED = ["web", "worker", "calls"]


def test_the_proxy_alone_publishes_a_port_and_reads_the_config_in_the_repository():
    published = {name for name, service in SERVICES.items() if service.get("ports")}
    assert published == {"proxy"}
    proxy = SERVICES["proxy"]
    assert proxy["image"].startswith("nginx:")
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    assert proxy["depends_on"]["web"]["condition"] == "service_healthy"


@pytest.mark.parametrize("name", SCALED)
def test_scaled_services_have_nothing_only_one_container_may_have(name):
    service = SERVICES[name]
    assert "container_name" not in service
    assert "ports" not in service
    assert "hostname" not in service


def test_no_app_container_has_a_fixed_name():
    assert not [n for n, s in SERVICES.items() if "container_name" in s]


def test_beat_runs_once():
    beat = SERVICES["beat"]
    assert beat["command"][:4] == ["celery", "--app", "config", "beat"]
    # A worker with --beat would be a second clock once workers scale.
    for name in SCALED:
        assert "--beat" not in SERVICES[name].get("command", [])
        assert "-B" not in SERVICES[name].get("command", [])
    assert "replicas" not in beat.get("deploy", {}) or beat["deploy"]["replicas"] == 1


def test_the_proxy_balances_over_every_replica_and_buffers_whole_requests():
    assert re.search(r"resolver 127\.0\.0\.11\b", NGINX)  # Docker's DNS
    assert re.search(r"server web:8000 resolve;", NGINX)
    assert "zone web" in NGINX  # `resolve` needs a shared zone
    assert "proxy_request_buffering on;" in NGINX
    assert "proxy_buffering on;" in NGINX
    assert "proxy_pass http://web;" in NGINX
    assert "X-Forwarded-For $proxy_add_x_forwarded_for;" in NGINX
    assert "X-Forwarded-Proto $forwarded_proto;" in NGINX
    assert "proxy_set_header Host $host;" in NGINX


def test_the_app_counts_the_proxy_when_it_reads_the_client_address():
    env = COMPOSE["x-app"]["environment"]
    assert env["TRUSTED_PROXY_COUNT"] == "${TRUSTED_PROXY_COUNT:-1}"


def test_rabbitmq_is_optional_and_celery_switches_to_it_by_one_variable():
    rabbitmq = SERVICES["rabbitmq"]
    assert rabbitmq["profiles"] == ["rabbitmq"]
    assert "ports" not in rabbitmq  # the app's network only
    env = COMPOSE["x-app"]["environment"]
    # From the shell when set there, else unset: Celery falls back to Redis.
    assert "CELERY_BROKER_URL" in env and env["CELERY_BROKER_URL"] is None
    # Longer than the furthest countdown a worker holds (5 min by default).
    timeout = re.search(
        r"consumer_timeout (\d+)",
        rabbitmq["environment"]["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"],
    )
    assert timeout and int(timeout.group(1)) >= 30 * 60 * 1000
    # Nothing waits on it unless the profile is on.
    for name in ["web", "worker", "calls", "beat"]:
        dependency = SERVICES[name]["depends_on"]["rabbitmq"]
        assert dependency == {"condition": "service_healthy", "required": False}
