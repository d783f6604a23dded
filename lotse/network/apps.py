from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NetworkConfig(AppConfig):
    name = "lotse.network"
    label = "network"
    verbose_name = _("Networks and action concepts")

    def ready(self) -> None:
        from lotse.network import rules  # noqa: F401  (registers permission rules)
