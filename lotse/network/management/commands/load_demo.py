from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotse.network.demo import DEMO_FILE, DemoDataError, load_demo_data
from lotse.network.regions import load_regions


class Command(BaseCommand):
    help = "Load regions and the demo networks transcribed from the seed documents (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", default=str(DEMO_FILE), help="demo YAML file")
        parser.add_argument(
            "--update", action="store_true", help="overwrite existing rows with the file's values"
        )

    def handle(self, *args: Any, file: str, update: bool, **options: Any) -> None:
        from pathlib import Path

        regions = load_regions()
        self.stdout.write(
            f"Regions: {regions.regions_created} new regions, "
            f"{regions.postcodes_created} new postcodes."
        )
        try:
            report = load_demo_data(Path(file), update=update)
        except DemoDataError as error:
            raise CommandError(f"Nothing was loaded.\n{error}") from error
        created = ", ".join(f"{count} {label}" for label, count in report.created.items())
        self.stdout.write(f"Demo networks: {created or 'nothing new'}.")
