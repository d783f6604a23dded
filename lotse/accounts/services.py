"""Writes of the accounts app."""

from typing import Any

from django.db import transaction
from rest_framework.authtoken.models import Token

from lotse.core.audit import record


@transaction.atomic
def issue_api_token(user: Any) -> str:
    """Replace the user's API token with a fresh one and return its key."""
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    record("accounts.token.issued", user, user)
    return token.key
