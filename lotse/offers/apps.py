from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OffersConfig(AppConfig):
    name = "lotse.offers"
    label = "offers"
    verbose_name = _("Offer compass")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from lotse.offers import rules  # noqa: F401  (registers permission rules)
        from lotse.offers.catalogue import LABELLED_MODELS, RELATIONS, catalogue_changed
        from lotse.offers.models import Offer

        def changed(**_kwargs: object) -> None:
            catalogue_changed()

        # Saves and deletions of single offers; bulk writes call catalogue_changed().
        post_save.connect(changed, sender=Offer, dispatch_uid="offers.catalogue.save")
        post_delete.connect(changed, sender=Offer, dispatch_uid="offers.catalogue.delete")
        for model in LABELLED_MODELS:
            uid = f"offers.catalogue.{model._meta.label_lower}"
            post_save.connect(changed, sender=model, dispatch_uid=f"{uid}.save")
            post_delete.connect(changed, sender=model, dispatch_uid=f"{uid}.delete")
        for field in RELATIONS.values():
            through = getattr(Offer, field).through
            m2m_changed.connect(changed, sender=through, dispatch_uid=f"offers.catalogue.{field}")
