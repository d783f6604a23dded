"""Who may open which page: role x URL x expected status.

Every app adds its pages to ``MATRIX``; the roles are the named users of the
root conftest. 403 means "signed in but not allowed", 302 "sign in first".
"""

import pytest
from django.urls import reverse

from conftest import client_for

ROLES = [
    "anonymous",
    "administrator",
    "coordinator",
    "adviser",
    "other_adviser",
    "company",
    "talent",
]


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


MATRIX: list[tuple[str, tuple, dict[str, int]]] = [
    # core
    ("home", (), everyone(200)),
    ("core:about", (), everyone(200)),
    ("core:audit_log", (), {**everyone(403), "administrator": 200, "coordinator": 200}),
    # accounts
    ("accounts:login", (), everyone(200)),
    ("accounts:profile", (), {**everyone(200), "anonymous": 302}),
    ("accounts:password_reset", (), everyone(200)),
    # network
    ("network:network_list", (), everyone(200)),
    ("network:network_detail", ("fachkraefteallianz-chemnitz",), everyone(200)),
    ("network:action_field_detail", ("fachkraefteallianz-chemnitz", 1), everyone(200)),
    ("network:organisation_list", (), everyone(200)),
    ("network:organisation_detail", ("stadt-chemnitz",), everyone(200)),
    # administration: partner staff with the staff flag only
    ("admin:index", (), {**everyone(302), "administrator": 200, "coordinator": 200}),
    (
        "admin:accounts_user_changelist",
        (),
        {**everyone(302), "administrator": 200, "coordinator": 403},
    ),
    (
        "admin:network_network_changelist",
        (),
        {**everyone(302), "administrator": 200, "coordinator": 200},
    ),
    (
        "admin:core_auditentry_changelist",
        (),
        {**everyone(302), "administrator": 200, "coordinator": 200},
    ),
    # offers: the import, for coordinators and administrators
    (
        "offers:offer_import",
        (),
        {**everyone(403), "anonymous": 302, "administrator": 200, "coordinator": 200},
    ),
    # offers: the compass is public, with or without an account
    ("offers:offer_list", (), everyone(200)),
    ("offers:finder", (), everyone(200)),
    ("offers:offer_detail", ("integration-mit-individualitaet",), everyone(200)),
    ("offers:export_csv", (), everyone(200)),
    ("offers:export_xlsx", (), everyone(200)),
    ("offers:feed", (), everyone(200)),
    # occupations: public reference data and the coder
    ("occupations:occupation_list", (), everyone(200)),
    ("occupations:occupation_detail", ("26112",), everyone(200)),
    ("occupations:autocomplete", ("title",), everyone(200)),
    ("occupations:sources", (), everyone(200)),
    # occupations: coding a whole file, for partner staff
    (
        "occupations:code_file",
        (),
        {**everyone(200), "anonymous": 302, "company": 403, "talent": 403},
    ),
    (
        "occupations:checked_titles",
        (),
        {**everyone(200), "anonymous": 302, "company": 403, "talent": 403},
    ),
    # withdrawing a code chosen by hand is a POST (tested in the app); never a link
    ("occupations:forget_checked_title", (1,), {**everyone(405), "anonymous": 302}),
]

CASES = [
    pytest.param(name, args, role, status, id=f"{name}-{role}")
    for name, args, expected in MATRIX
    for role, status in expected.items()
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "args", "role", "status"), CASES)
def test_permission_matrix(users, name, args, role, status):
    response = client_for(users[role]).get(reverse(name, args=args))
    assert response.status_code == status
