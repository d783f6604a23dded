from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from lotse.occupations.reference import DATA_DIR, ReferenceFileError, build_reference_files

DEFAULT_SOURCE = Path("../shared/data")


class Command(BaseCommand):
    help = "Rebuild the shipped KldB, job-title and ESCO files from ../shared/data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
        parser.add_argument("--target", type=Path, default=DATA_DIR)

    def handle(self, *args: Any, source: Path, target: Path, **options: Any) -> None:
        if not source.is_dir():
            raise CommandError(f"{source} not found (pass --source)")

        def progress(steps: Iterable[str]) -> Iterable[str]:
            return tqdm(steps, desc="occupations", unit="file", file=self.stderr._out)

        try:
            counts = build_reference_files(source, target, progress)
        except ReferenceFileError as error:
            raise CommandError(str(error)) from error
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count} rows")
        self.stdout.write(f"written to {target}")
