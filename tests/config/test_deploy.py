"""Production settings: secure by default and strict about missing secrets."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/hoshii",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "ALLOWED_HOSTS": "shop.example.com",
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_AUTH_TOKEN": "a-real-looking-auth-token",
    "TWILIO_FROM_NUMBER": "+815012345678",
    "CALLBACKS_PUBLIC_BASE_URL": "https://shop.example.com",
    "SHOP_PAYMENT_PROVIDER": "shop.payments.TestPaymentProvider",
}
STRIPE_ENV = {
    "SHOP_PAYMENT_PROVIDER": "shop.payments.StripeProvider",
    "STRIPE_SECRET_KEY": "sk_live_" + "a" * 24,
    "STRIPE_WEBHOOK_SECRET": "whsec_" + "b" * 32,
}
STRIPE = ["STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"]
TWILIO = [
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_FROM_NUMBER",
    "CALLBACKS_PUBLIC_BASE_URL",
]


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    ours = {*PRODUCTION_ENV, *STRIPE_ENV, "CALLBACKS_DIALER", "SITE_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in ours}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("provider", ["test", "stripe"])
def test_check_deploy_passes_with_no_warnings(provider):
    env = {**PRODUCTION_ENV, **(STRIPE_ENV if provider == "stripe" else {})}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"]
)
def test_a_missing_production_secret_stops_start_up(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_collectstatic_builds_the_compressed_manifest(tmp_path):
    env = {**PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path)}
    result = manage("collectstatic", "--noinput", env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles.json").exists()
    assert list(tmp_path.glob("css/hoshii.*.css"))  # hashed name for caching
    assert list(tmp_path.glob("admin/css/base.*.css.gz"))


@pytest.mark.parametrize("missing", TWILIO)
def test_production_refuses_to_fake_phone_calls_silently(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr
    assert "CALLBACKS_DIALER=callbacks.dialers.ConsoleDialer" in result.stderr


def test_production_fakes_calls_only_when_the_console_dialer_is_chosen():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k not in TWILIO}
    env["CALLBACKS_DIALER"] = "callbacks.dialers.ConsoleDialer"
    result = manage("check", env=env)
    assert result.returncode == 0, result.stderr
    # An empty value, as a compose file passes an unset variable, is no choice.
    result = manage("check", env={**env, "CALLBACKS_DIALER": ""})
    assert result.returncode != 0
    assert "TWILIO_ACCOUNT_SID" in result.stderr


@pytest.mark.parametrize("value", [None, ""])
def test_production_takes_the_test_payment_provider_only_when_named(value):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SHOP_PAYMENT_PROVIDER"}
    if value is not None:
        env["SHOP_PAYMENT_PROVIDER"] = value
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SHOP_PAYMENT_PROVIDER=shop.payments.TestPaymentProvider" in result.stderr
    # Named on purpose, it starts.
    named = {**env, "SHOP_PAYMENT_PROVIDER": "shop.payments.TestPaymentProvider"}
    result = manage("check", env=named)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "path",
    ["shop.payments.StripeProvider", "shop.payments.stripe_checkout.StripeProvider"],
)
@pytest.mark.parametrize("value", [None, ""])
@pytest.mark.parametrize("missing", STRIPE)
def test_production_refuses_stripe_without_its_keys(missing, value, path):
    env = {**PRODUCTION_ENV, **STRIPE_ENV, "SHOP_PAYMENT_PROVIDER": path}
    del env[missing]
    if value is not None:
        env[missing] = value
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr
    # The other key is there: only the missing one is named.
    (other,) = set(STRIPE) - {missing}
    assert other not in result.stderr.splitlines()[-1]


def test_production_starts_with_stripe_and_both_keys():
    result = manage("check", env={**PRODUCTION_ENV, **STRIPE_ENV})
    assert result.returncode == 0, result.stderr


def test_run_mode_needs_no_configuration():
    result = manage("check", env={"DJANGO_SETTINGS_MODULE": "config.settings.dev"})
    assert result.returncode == 0, result.stderr
