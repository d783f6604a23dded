from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotse.network.regions import DATA_DIR, RegionFileError, build_region_files

DEFAULT_SOURCE = Path("../shared/data/plz_de_geonames/plz_de.csv.gz")


class Command(BaseCommand):
    help = "Rebuild the shipped region and postcode files from GeoNames' plz_de.csv.gz."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
        parser.add_argument("--target", type=Path, default=DATA_DIR)

    def handle(self, *args: Any, source: Path, target: Path, **options: Any) -> None:
        if not source.exists():
            raise CommandError(f"{source} not found (pass --source)")
        try:
            regions, postcodes = build_region_files(source, target)
        except RegionFileError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{regions} regions and {postcodes} postcodes written to {target}")
