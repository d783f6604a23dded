"""Forms of the accounts app."""

from functools import partial
from typing import Any

from django.contrib.auth.forms import PasswordResetForm
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction
from django.utils.translation import get_language

from lotse.accounts.tasks import send_password_reset_task


class QueuedPasswordResetForm(PasswordResetForm):
    """Password reset whose mail goes through the task queue once the request commits."""

    def save(  # type: ignore[override]
        self,
        domain_override: str | None = None,
        use_https: bool = False,
        request: Any = None,
        **kwargs: Any,
    ) -> None:
        domain = domain_override or get_current_site(request).domain
        language = get_language()
        for user in self.get_users(self.cleaned_data["email"]):
            transaction.on_commit(partial(_enqueue, user.pk, domain, use_https, language))


def _enqueue(user_id: int, domain: str, use_https: bool, language: str) -> None:
    send_password_reset_task.enqueue(user_id, domain, use_https, language)
