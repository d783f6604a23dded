"""Sign-in, the user's own account page and API tokens."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lotse.accounts.models import User
from lotse.accounts.services import issue_api_token
from lotse.core.permissions import can


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    context = {
        "networks": user.coordinated_networks.order_by("name"),
        "has_token": hasattr(user, "auth_token"),
        "can_view_audit_log": can(user, "core.view_auditentry"),
        "nav": "profile",
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def create_token(request: HttpRequest) -> HttpResponse:
    """Issue a new API token; it is shown once and replaces any earlier one."""
    token = issue_api_token(request.user)
    messages.success(request, _("Your new API token (shown only now): %(key)s") % {"key": token})
    return redirect("accounts:profile")
