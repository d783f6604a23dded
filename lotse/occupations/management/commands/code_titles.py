from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotse.occupations.services import TitleFileError, read_titles, write_coded_csv


class Command(BaseCommand):
    help = (
        "Code job titles to KldB 2010 five-digit codes: INPUT is a CSV (commas, "
        "semicolons or tabs) or XLSX workbook with a column 'title' (or 'Titel', "
        "'Berufsbezeichnung', 'Stellenbezeichnung', any case), or a text file with one "
        "title a line; OUTPUT gets the columns "
        "title, rank, kldb5, score, matched_title, esco_uri (K rows per title), and "
        "with --flag-uncertain a column 'uncertain' (1: a person should check the coding)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", type=Path)
        parser.add_argument("output", type=Path)
        parser.add_argument("--top", type=int, default=5, help="codes per title (default 5)")
        parser.add_argument(
            "--flag-uncertain",
            action="store_true",
            help="add a column 'uncertain': 1 where a person should check the title's codes",
        )

    def handle(
        self,
        *args: Any,
        input: Path,
        output: Path,
        top: int,
        flag_uncertain: bool = False,
        **options: Any,
    ) -> None:
        if not 1 <= top <= 50:
            raise CommandError("--top must be between 1 and 50")
        if not input.is_file():
            raise CommandError(f"{input} not found")
        try:
            with open(input, "rb") as handle:
                titles = read_titles(handle)
        except TitleFileError as error:
            raise CommandError(f"{input}, {error}") from error
        with open(output, "w", encoding="utf-8", newline="") as handle:
            flagged = write_coded_csv(handle, titles, top, flag_uncertain)
        report = f"{len(titles)} titles coded, {len(titles) * top} rows in {output}"
        if flag_uncertain:
            report += f"; {flagged} flagged uncertain, for a person to check"
        self.stdout.write(report)
