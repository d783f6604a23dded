from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotse.network.demo import DemoDataError
from lotse.offers.demo import DEMO_FILE, load_demo_offers


class Command(BaseCommand):
    help = "Load the demo offers transcribed from the seed documents (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", default=str(DEMO_FILE))
        parser.add_argument("--update", action="store_true", help="rewrite existing offers")

    def handle(self, *args: Any, file: str, update: bool, **options: Any) -> None:
        try:
            report = load_demo_offers(Path(file), update=update)
        except DemoDataError as error:
            raise CommandError(f"Nothing was loaded.\n{error}") from error
        created = ", ".join(f"{count} {label}" for label, count in report.created.items())
        self.stdout.write(f"Demo offers: {created or 'nothing new'}.")
