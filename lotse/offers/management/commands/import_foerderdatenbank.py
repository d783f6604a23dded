from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotse.offers.foerderdatenbank import (
    ExportError,
    ImportReport,
    Problem,
    import_foerderdatenbank,
    summarise,
)


class Command(BaseCommand):
    help = (
        "Import the funding programmes of the Förderdatenbank des Bundes from its XML export "
        "(the ZIP from https://www.foerderdatenbank.de/FDB/WS/export, or that ZIP unpacked). "
        "Every programme is checked first; if any has a problem, nothing is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the export ZIP, or a folder holding its BMWI tree")
        parser.add_argument(
            "--user", required=True, help="username of the importing user (for the audit)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="only check and report, write nothing"
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="leave out the programmes with problems and import the others",
        )
        parser.add_argument(
            "--draft", action="store_true", help="create new offers as drafts, not published"
        )

    def handle(
        self,
        *args: Any,
        path: str,
        user: str,
        dry_run: bool,
        skip_invalid: bool,
        draft: bool,
        **options: Any,
    ) -> None:
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"There is no user {user!r}.")
        try:
            report = import_foerderdatenbank(
                Path(path),
                actor=actor,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                publish=not draft,
            )
        except PermissionDenied as error:
            raise CommandError(f"{user} may not import offers.") from error
        except ExportError as error:
            raise CommandError(str(error)) from error
        verbose = options.get("verbosity", 1) > 1
        if report.problems:
            for problem in report.problems:
                self.stderr.write(str(problem))
        if not report.is_valid:
            raise CommandError(
                f"Nothing was imported: {len(report.problems)} problem(s). "
                "Fix the export or use --skip-invalid."
            )
        self._list("Left out", report.skipped, verbose)
        self._list("Notes", report.warnings, verbose)
        self.stdout.write(self._summary(report))

    def _list(self, heading: str, problems: list[Problem], verbose: bool) -> None:
        if not problems:
            return
        self.stdout.write(f"{heading} ({len(problems)}):")
        if verbose:
            for problem in problems:
                self.stdout.write(f"  {problem}")
            return
        for message, count in summarise(problems):
            self.stdout.write(f"  {count} × {message}")

    def _summary(self, report: ImportReport) -> str:
        counts = (
            f"{len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.organisations)} new organisation(s)"
        )
        lines = [
            f"{report.programmes} programme file(s) read"
            + (f", {len(report.problems)} left out with problems" if report.problems else "")
            + "."
        ]
        if report.dry_run:
            lines.append(f"Dry run, nothing written; would be: {counts}.")
        else:
            lines.append(f"Imported: {counts}.")
        if report.absent:
            lines.append(
                f"{len(report.absent)} imported offer(s) are no longer in the export "
                "(left as they are): "
                + ", ".join(report.absent[:10])
                + (" …" if len(report.absent) > 10 else "")
            )
        return "\n".join(lines)
