from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    name = "lotse.offers"
    label = "offers"
    verbose_name = _("Offer compass")

    def ready(self) -> None:
        from lotse.offers import rules  # noqa: F401  (registers permission rules)
