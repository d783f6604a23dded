"""One demo account per role in the demo networks, for trying Lotse out.

Never in production: :func:`create_demo_accounts` refuses when
``settings.PRODUCTION`` is true.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from lotse.accounts.models import User
from lotse.core.audit import record
from lotse.core.permissions import Role
from lotse.network.models import Network, Organisation, OrganisationKind, SizeClass
from lotse.network.services import place_organisation

DEMO_NETWORK = "fachkraefteallianz-chemnitz"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    label: str
    organisation: str | None = None
    staff: bool = False


DEMO_ACCOUNTS = [
    DemoAccount("admin", Role.ADMINISTRATOR, "Administration", None, staff=True),
    DemoAccount(
        "koordination", Role.COORDINATOR, "Fachkräftekoordination", "stadt-chemnitz", staff=True
    ),
    DemoAccount("beratung", Role.ADVISER, "Arbeitgeberservice", "agentur-fuer-arbeit-chemnitz"),
    DemoAccount("beratung-kammer", Role.ADVISER, "Ausbildungsberatung", "handwerkskammer-chemnitz"),
    DemoAccount("unternehmen", Role.COMPANY, "Personalabteilung", "demo-metallbau-chemnitz"),
    DemoAccount("talent", Role.TALENT, "Talent"),
]


def _demo_company() -> Organisation:
    """A fictional company, marked as such, for the company account."""
    company = Organisation.objects.filter(slug="demo-metallbau-chemnitz").first()
    if company is None:
        company = Organisation(
            slug="demo-metallbau-chemnitz",
            name="Demo Metallbau GmbH (fiktiv)",
            kind=OrganisationKind.COMPANY,
            description="Fiktives Unternehmen für das Demo-Konto; kein reales Unternehmen.",
            postcode="09111",
            sector_wz2008="25",
            size_class=SizeClass.SMALL,
            is_sme=True,
        )
        place_organisation(company)
        company.save()
    return company


@transaction.atomic
def create_demo_accounts(password: str) -> list[tuple[DemoAccount, bool]]:
    """Create the demo accounts that are missing; returns each with whether it is new."""
    if settings.PRODUCTION:
        raise ImproperlyConfigured("demo accounts are never created in production mode")
    _demo_company()
    network = Network.objects.get(slug=DEMO_NETWORK)
    result = []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        created = user is None
        if user is None:
            organisation = (
                Organisation.objects.get(slug=account.organisation)
                if account.organisation
                else None
            )
            user = User.objects.create_user(
                username=account.username,
                password=password,
                email=f"{account.username}@demo.lotse.invalid",
                first_name="Demo",
                last_name=account.label,
                role=account.role,
                organisation=organisation,
                is_staff=account.staff,
                is_superuser=account.role == Role.ADMINISTRATOR,
                is_demo=True,
            )
            if account.role == Role.COORDINATOR:
                user.coordinated_networks.add(network)
            record("accounts.user.created", user, None, {"role": account.role, "demo": True})
        result.append((account, created))
    return result
