from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OccupationsConfig(AppConfig):
    name = "lotse.occupations"
    label = "occupations"
    verbose_name = _("Occupations")

    def ready(self) -> None:
        import os
        import sys
        import threading

        from lotse.occupations import rules  # noqa: F401  (registers permission rules)

        # A serving process fits the coder in the background at start, so the first
        # autocomplete does not wait for it (runserver's child process, gunicorn).
        if os.environ.get("RUN_MAIN") == "true" or "gunicorn" in os.path.basename(sys.argv[0]):
            from lotse.occupations.coder import get_coder

            threading.Thread(target=get_coder, name="fit-occupation-coder", daemon=True).start()
