"""Settings come from the environment; production values pass Django's deploy checks and a
malformed value stops start-up with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k7#Qz!v2Lr9@pX4$wN8&bT1^mF6*hJ3(eY5)cU0_sA2+dG7-iO9=oP4~lK8|zR3",
    "ALLOWED_HOSTS": "wbl.example.org",
}


def manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "DJANGO_SETTINGS_MODULE",
            "SECURE_SSL_REDIRECT",
            "SECURE_COOKIES",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    clean["DJANGO_SETTINGS_MODULE"] = "wbl.settings"
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_values_pass_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cookies_over_plain_http_are_an_opt_out_that_check_deploy_flags():
    plain_http = {**PRODUCTION, "SECURE_COOKIES": "0"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **plain_http)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "security.W012" in output and "security.W016" in output  # session, CSRF cookie


def test_gunicorn_loads_the_app_with_workers_and_bind_from_the_environment():
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL" and not k.startswith("DJ")}
    env.update(PRODUCTION, WEB_CONCURRENCY="4", GUNICORN_BIND="127.0.0.1:8123")
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "wbl/gunicorn.conf.py", "--print-config"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = (line.partition("=") for line in result.stdout.splitlines())
    config = {name.strip(): value.strip() for name, _, value in lines}
    assert config["workers"] == "4"
    assert config["bind"] == "['127.0.0.1:8123']"
    assert config["wsgi_app"] == "wbl.wsgi:application"
    assert int(config["timeout"]) <= 120


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
        ({"DEBUG": "false", "SECRET_KEY": ""}, "SECRET_KEY is required"),
        ({"DEBUG": "true", "DATABASE_URL": "mysql://root@localhost/wbl"}, "DATABASE_URL must be"),
        (
            {"DEBUG": "true", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432"},
            "names no database",
        ),
        ({"DEBUG": "true", "ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS is set but names no host"),
        ({**PRODUCTION, "SECURE_COOKIES": "sometimes"}, "SECURE_COOKIES must be one of"),
        ({**PRODUCTION, "EMAIL_PORT": "smtp"}, "EMAIL_PORT must be a positive int"),
        ({**PRODUCTION, "EMAIL_USE_TLS": "perhaps"}, "EMAIL_USE_TLS must be one of"),
    ],
)
def test_malformed_values_stop_start_up_with_a_clear_message(env, message):
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(settings):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only setting; this run uses " + connection.vendor)
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]


def test_reminder_mail_goes_through_the_smtp_relay_the_environment_names():
    env = {
        **PRODUCTION,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": "587",
        "EMAIL_HOST_USER": "wbl",
        "EMAIL_USE_TLS": "true",
    }
    code = (
        "from django.core.mail import get_connection; c = get_connection(); "
        "print(type(c).__name__, c.host, c.port, c.username, c.use_tls)"
    )
    result = manage("shell", "--no-imports", "-c", code, **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split() == ["EmailBackend", "smtp.example.org", "587", "wbl", "True"]
