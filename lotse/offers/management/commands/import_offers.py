from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotse.offers.imports import import_offers, read_offers


class Command(BaseCommand):
    help = (
        "Import offers from a CSV or XLSX file in the export's columns or a JSON file in the "
        "API's schema. Every row is checked first; if any is bad, nothing is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="a .csv, .xlsx or .json file")
        parser.add_argument(
            "--user", required=True, help="username of the importing coordinator (for the audit)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="only check and report, import nothing"
        )

    def handle(self, *args: Any, file: str, user: str, dry_run: bool, **options: Any) -> None:
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"There is no user {user!r}.")
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path} cannot be read: {error.strerror}") from error
        try:
            report = import_offers(read_offers(path.name, data), actor=actor, dry_run=dry_run)
        except PermissionDenied as error:
            raise CommandError(f"{user} may not import offers.") from error
        if not report.is_valid:
            for problem in report.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"Nothing was imported: {len(report.problems)} problem(s).")
        counts = ", ".join(f"{count} {action}" for action, count in report.counts.items())
        prefix = "Dry run, nothing written; would be" if dry_run else "Imported"
        self.stdout.write(f"{prefix}: {counts}.")
