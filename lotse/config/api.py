"""The API router: every app's viewsets under /api/v1/."""

from rest_framework.routers import DefaultRouter

from lotse.accounts.api import register as register_accounts
from lotse.network.api import register as register_network
from lotse.occupations.api import register as register_occupations
from lotse.offers.api import register as register_offers

router = DefaultRouter()
register_network(router)
register_accounts(router)
register_offers(router)
register_occupations(router)
