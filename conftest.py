"""Named users and shared fixtures for every app's tests.

The demo networks and regions are loaded once per test database, so tests
speak of the real alliances: the coordinator of the Fachkräfteallianz
Chemnitz, an adviser of its member Agentur für Arbeit Chemnitz, an adviser of
the Staatskanzlei Sachsen-Anhalt (a partner in other networks only), a company
user, a talent and an anonymous visitor.
"""

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from lotse.accounts.models import User
from lotse.core.permissions import Role
from lotse.network.demo import load_demo_data
from lotse.network.models import Network, Organisation
from lotse.network.regions import load_regions
from lotse.offers.demo import load_demo_offers

CHEMNITZ = "fachkraefteallianz-chemnitz"


def pytest_configure(config: Any) -> None:
    from django.conf import settings

    # Tests create many users; a deliberately slow hasher would dominate their runtime.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        load_regions()
        load_demo_data()
        load_demo_offers()
    yield


@pytest.fixture(autouse=True)
def german_by_default() -> Iterator[None]:
    """Code outside a request speaks the default language, whatever a test before did."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


def _user(username: str, role: Role, organisation: str | None = None, **extra: Any) -> User:
    return User.objects.create_user(
        username=username,
        password="correct horse battery staple",
        email=f"{username}@example.org",
        role=role,
        organisation=Organisation.objects.get(slug=organisation) if organisation else None,
        **extra,
    )


@pytest.fixture
def chemnitz(db: Any) -> Network:
    return Network.objects.get(slug=CHEMNITZ)


@pytest.fixture
def admin_user(db: Any) -> User:
    return _user("ada", Role.ADMINISTRATOR, is_staff=True, is_superuser=True)


@pytest.fixture
def coordinator(chemnitz: Network) -> User:
    """Fachkräftekoordination of the Stadt Chemnitz, coordinating the alliance."""
    user = _user("cora", Role.COORDINATOR, "stadt-chemnitz", is_staff=True)
    user.coordinated_networks.add(chemnitz)
    return user


@pytest.fixture
def adviser(db: Any) -> User:
    """An adviser of the Agentur für Arbeit Chemnitz, a managing member in Chemnitz."""
    return _user("alex", Role.ADVISER, "agentur-fuer-arbeit-chemnitz")


@pytest.fixture
def other_adviser(db: Any) -> User:
    """An adviser of the Staatskanzlei Sachsen-Anhalt: a partner, but not in Chemnitz."""
    return _user("bo", Role.ADVISER, "staatskanzlei-sachsen-anhalt")


@pytest.fixture
def company_user(db: Any) -> User:
    return _user("carla", Role.COMPANY, "bmw-group-werk-leipzig")


@pytest.fixture
def talent(db: Any) -> User:
    return _user("tom", Role.TALENT)


@pytest.fixture
def users(
    admin_user: User,
    coordinator: User,
    adviser: User,
    other_adviser: User,
    company_user: User,
    talent: User,
) -> dict[str, User | None]:
    """Every role by name, and ``anonymous`` as None."""
    return {
        "anonymous": None,
        "administrator": admin_user,
        "coordinator": coordinator,
        "adviser": adviser,
        "other_adviser": other_adviser,
        "company": company_user,
        "talent": talent,
    }


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
