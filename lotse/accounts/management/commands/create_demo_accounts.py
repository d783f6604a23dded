from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lotse.accounts.demo import create_demo_accounts
from lotse.network.models import Network


class Command(BaseCommand):
    help = "Create one demo account per role in the demo networks and print their logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo accounts are never created in production mode.")
        try:
            accounts = create_demo_accounts(settings.DEMO_PASSWORD)
        except Network.DoesNotExist as error:
            raise CommandError("Load the demo networks first: lotse load_demo") from error
        self.stdout.write(f"Demo accounts (password for all: {settings.DEMO_PASSWORD}):")
        for account, created in accounts:
            where = f", {account.organisation}" if account.organisation else ""
            state = "new" if created else "exists"
            self.stdout.write(f"  {account.username:<16} {account.role.label}{where} ({state})")
