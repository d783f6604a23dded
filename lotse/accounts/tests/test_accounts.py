"""People sign in and out, reset a forgotten password, and get API tokens."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from conftest import client_for
from lotse.accounts.models import User
from lotse.core.models import AuditEntry
from lotse.core.permissions import Role

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


def test_adviser_signs_in_and_sees_role_and_organisation(client, adviser):
    response = client.post(
        reverse("accounts:login"), {"username": "alex", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("accounts:profile")
    assert "Agentur für Arbeit Chemnitz" in response.content.decode()


def test_a_wrong_password_is_explained_and_nobody_is_signed_in(client, adviser):
    response = client.post(reverse("accounts:login"), {"username": "alex", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post_and_ends_the_session(adviser):
    client = client_for(adviser)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_mails_a_link_that_sets_a_new_password(
    client, adviser, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:password_reset"), {"email": adviser.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    new_password = "ein ganz neues Passwort 2026"
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    adviser.refresh_from_db()
    assert adviser.check_password(new_password)


def test_password_reset_does_not_reveal_whether_an_address_exists(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 0


def test_a_new_api_token_is_shown_once_and_its_key_never_reaches_the_audit_log(adviser):
    client = client_for(adviser)
    response = client.post(reverse("accounts:create_token"), follow=True)
    message = next(iter(response.context["messages"])).message
    key = adviser.auth_token.key
    assert key in message
    entry = AuditEntry.objects.get(action="accounts.token.issued")
    assert key not in str(entry.data)
    assert entry.actor == adviser
    client.post(reverse("accounts:create_token"))
    adviser.refresh_from_db()
    assert adviser.auth_token.key != key


def test_advisers_coordinators_and_company_users_belong_to_an_organisation():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="floating", role=Role.ADVISER)


def test_demo_accounts_are_one_per_role_and_created_once(capsys):
    call_command("create_demo_accounts")
    first = capsys.readouterr().out
    call_command("create_demo_accounts")
    second = capsys.readouterr().out

    demo = User.objects.filter(is_demo=True)
    assert {user.role for user in demo} == set(Role.values)
    assert demo.count() == 6
    assert "koordination" in first and "(new)" in first
    assert "(new)" not in second
    coordinator = demo.get(username="koordination")
    assert list(coordinator.coordinated_networks.values_list("slug", flat=True)) == [
        "fachkraefteallianz-chemnitz"
    ]


def test_production_mode_never_creates_demo_accounts(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never created in production"):
        call_command("create_demo_accounts")
    assert not User.objects.filter(is_demo=True).exists()


def test_an_administrator_opening_an_account_is_logged(admin_user, talent):
    response = client_for(admin_user).get(reverse("admin:accounts_user_change", args=[talent.pk]))
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="accounts.user.viewed")
    assert (entry.actor, entry.object_id) == (admin_user, str(talent.pk))


@pytest.mark.django_db(transaction=True)
def test_with_the_database_queue_the_reset_mail_waits_for_the_worker(client, settings):
    """Production runs mail through `lotse db_worker`; nothing is sent before it runs."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    user = User.objects.create_user("queued", "queued@example.org", PASSWORD, role=Role.TALENT)

    client.post(reverse("accounts:password_reset"), {"email": user.email})

    assert len(mail.outbox) == 0
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["queued@example.org"]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
