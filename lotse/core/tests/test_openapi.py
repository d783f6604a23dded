"""The committed OpenAPI document describes the API as it is.

``docs/openapi.yaml`` is what API consumers read and generate clients from, so
it is checked into the repository and regenerated with ``make openapi``
(``lotse spectacular --file docs/openapi.yaml --validate``). These tests
regenerate it and fail when the committed copy differs.

Generation must be reproducible: no timestamps, the same ordering in every
process, and nothing taken from the database. The in-process test asks for no
database (pytest-django refuses any query), and the command is run again in
fresh processes with another hash seed and another database backend.
"""

import difflib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

ROOT = Path(__file__).resolve().parents[3]
COMMITTED = ROOT / "docs" / "openapi.yaml"
HINT = "docs/openapi.yaml is out of date with the API: run `make openapi` and commit the result."


def _committed() -> str:
    if not COMMITTED.exists():
        pytest.fail(f"{COMMITTED.relative_to(ROOT)} is missing: run `make openapi`.")
    return COMMITTED.read_text(encoding="utf-8")


def _assert_matches_committed(generated: str, source: str) -> None:
    committed = _committed()
    if generated == committed:
        return
    diff = "".join(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            generated.splitlines(keepends=True),
            fromfile="docs/openapi.yaml (committed)",
            tofile=f"docs/openapi.yaml ({source})",
            n=2,
        )
    )
    if len(diff) > 6000:
        diff = diff[:6000] + "\n[… diff shortened …]\n"
    pytest.fail(f"{HINT}\n\n{diff}", pytrace=False)


def _generate_in_process(path: Path) -> str:
    # The document is written in English (``--lang en``), so that a change to the
    # German catalogue does not change the API contract.
    with translation.override("en"):
        call_command("spectacular", "--file", str(path), "--validate", "--lang", "en")
    return path.read_text(encoding="utf-8")


def test_the_committed_openapi_document_is_up_to_date(tmp_path):
    _assert_matches_committed(_generate_in_process(tmp_path / "openapi.yaml"), "generated")


def test_generating_twice_gives_the_same_document(tmp_path):
    first = _generate_in_process(tmp_path / "first.yaml")
    second = _generate_in_process(tmp_path / "second.yaml")

    assert first == second
    assert first.startswith("openapi: 3.0.3\n")
    assert "/api/v1/organisations/{slug}/" in first


@pytest.mark.parametrize(
    "database_url",
    [
        pytest.param("sqlite:////nonexistent-lotse-dir/never-created.sqlite3", id="sqlite"),
        # Port 9 (discard): the generator must never need to connect.
        pytest.param("postgres://nobody@127.0.0.1:9/never_connected", id="postgresql"),
    ],
)
def test_the_command_gives_the_committed_document_with_any_database(tmp_path, database_url):
    target = tmp_path / "openapi.yaml"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PYTHONHASHSEED": "4711",
        "DJANGO_SETTINGS_MODULE": "lotse.config.settings",
    }
    result = subprocess.run(
        [sys.executable, "-m", "lotse.manage", "spectacular",
         "--file", str(target), "--validate", "--lang", "en"],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    _assert_matches_committed(target.read_text(encoding="utf-8"), f"generated with {database_url}")


@pytest.mark.django_db
def test_what_the_document_opens_to_anyone_answers_anyone(client):
    import yaml

    paths = yaml.safe_load(_committed())["paths"]
    opened = [
        (method, path)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if {} in operation.get("security", [])
    ]
    assert opened and all(method == "get" for method, _path in opened)
    for _method, path in opened:
        if "{" not in path and not path.endswith("/code/"):  # coding needs the coder
            assert client.get(path).status_code == 200, path
    assert {} in paths["/api/v1/occupations/code/"]["get"]["security"]
    assert {} not in paths["/api/v1/occupations/code/"]["post"]["security"]
    assert {} not in paths["/api/v1/me/"]["get"]["security"]
    assert client.get("/api/v1/me/").status_code in (401, 403)
