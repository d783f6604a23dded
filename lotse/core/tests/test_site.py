"""Site-wide guarantees: migrations, one h1 on every page, deploy checks, layering."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import client_for

ROOT = Path(__file__).resolve().parents[3]


def test_no_model_change_lacks_a_migration(db, capsys):
    call_command("makemigrations", "--check", "--dry-run", verbosity=1)


def _parameter_free_page_urls() -> list[str]:
    """Every named URL of Lotse's own pages that takes no argument."""
    urls = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                namespace = pattern.namespace
                if namespace in {"admin"} or str(pattern.pattern).startswith("api/"):
                    continue
                walk(pattern.url_patterns, f"{prefix}{namespace}:" if namespace else prefix)
            elif (
                isinstance(pattern, URLPattern)
                and pattern.name
                and not pattern.pattern.regex.groups
            ):
                urls.append(f"{prefix}{pattern.name}")

    walk(get_resolver().url_patterns)
    return sorted(set(urls))


@pytest.mark.django_db
def test_every_page_without_parameters_renders_with_exactly_one_h1(users):
    skipped = {"set_language", "accounts:logout", "accounts:create_token", "api-schema"}
    # Files and feeds, not pages:
    skipped |= {"offers:export_csv", "offers:export_xlsx", "offers:feed"}
    # A form's target, which leads back to its form when opened:
    skipped |= {"occupations:checked_file"}
    names = [name for name in _parameter_free_page_urls() if name not in skipped]
    assert {"home", "network:network_list", "network:organisation_list", "core:audit_log"} <= set(
        names
    )
    client = client_for(users["administrator"])
    for name in names:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        h1_count = len(re.findall(rb"<h1[ >]", response.content))
        assert h1_count == 1, f"{name} has {h1_count} <h1>"


def test_deploy_check_passes_in_production_mode_with_the_documented_variables():
    env = {
        **os.environ,
        "LOTSE_PRODUCTION": "true",
        "LOTSE_SECRET_KEY": "k" * 20 + "-production-secret-0123456789-abcdefghijklmnop",
        "LOTSE_ALLOWED_HOSTS": "lotse.example.org",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:////tmp/lotse-deploy-check.sqlite3"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "lotse.manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "LOTSE_PRODUCTION": "true", "LOTSE_ALLOWED_HOSTS": "lotse.example.org"}
    env.pop("LOTSE_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "lotse.manage", "check"],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "LOTSE_SECRET_KEY must be set" in result.stderr


def test_dependency_direction_follows_the_import_contracts():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_configuration_variable_is_documented():
    settings_source = (ROOT / "lotse" / "config" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env(?:_bool|_int|_list)?\(\s*"([A-Z_]+)"', settings_source))
    assert "DATABASE_URL" in names and "LOTSE_PRODUCTION" in names
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert sorted(name for name in names if name not in readme) == []
    assert sorted(name for name in names if f"{name}=" not in example) == []
