import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lotse.occupations.services import TitleFileError, read_titles, write_coded_csv


class Command(BaseCommand):
    help = (
        "Code job titles to KldB 2010 five-digit codes: INPUT is a CSV (commas, "
        "semicolons or tabs; UTF-8, UTF-16 or Windows-1252) or XLSX workbook with a "
        "column 'title' (or 'Titel', 'Berufsbezeichnung', 'Stellenbezeichnung' and the "
        "like, any case; else its first column), or a text file with one title a line; "
        "OUTPUT gets the columns "
        "title, rank, kldb5, score, matched_title, esco_uri (K rows per title), and "
        "with --flag-uncertain a column 'uncertain' (1: a person should check the coding). "
        "OUTPUT is replaced only once every title is coded."
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
        parser.add_argument(
            "--bom",
            action="store_true",
            help="start OUTPUT with a byte-order mark, so that Excel reads its umlauts",
        )

    def handle(
        self,
        *args: Any,
        input: Path,
        output: Path,
        top: int,
        flag_uncertain: bool = False,
        bom: bool = False,
        **options: Any,
    ) -> None:
        if not 1 <= top <= 50:
            raise CommandError("--top must be between 1 and 50")
        if not input.is_file():
            raise CommandError(f"{input} not found")
        try:
            output = output.resolve()  # a link is written through, not replaced by a file
        except (OSError, RuntimeError) as error:  # a loop of links
            raise CommandError(f"{output} cannot be resolved: {error}") from error
        check_output(input, output)
        try:
            with open(input, "rb") as handle:
                titles = read_titles(handle)
        except TitleFileError as error:
            raise CommandError(f"{input}, {error}") from error
        # Written beside OUTPUT and moved over it at the end: a failed or interrupted
        # run leaves the file of an earlier run as it was.
        descriptor, partial = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
        try:
            with open(
                descriptor, "w", encoding="utf-8-sig" if bom else "utf-8", newline=""
            ) as handle:
                flagged = write_coded_csv(handle, titles, top, flag_uncertain)
            # As open() would have left it: an earlier file's mode, else the default one.
            mode = output.stat().st_mode if output.exists() else 0o666 & ~_umask()
            os.chmod(partial, stat.S_IMODE(mode))
            os.replace(partial, output)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        report = f"{len(titles)} titles coded, {len(titles) * top} rows in {output}"
        if flag_uncertain:
            report += f"; {flagged} flagged uncertain, for a person to check"
        self.stdout.write(report)


# What a spreadsheet program would open as a workbook, which a CSV written there is not.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def check_output(input: Path, output: Path) -> None:
    """Refuse an OUTPUT (resolved) that cannot be written or would destroy what it should not."""
    if output.is_dir():
        raise CommandError(f"{output} is a folder; name the file to write")
    if not output.parent.is_dir():
        raise CommandError(f"{output.parent} does not exist")
    if not os.access(output.parent, os.W_OK):
        raise CommandError(f"{output.parent} is not writable")
    if output == input.resolve():
        raise CommandError(f"{output} is the input file; name another file to write")
    if output.suffix.lower() in WORKBOOK_SUFFIXES:
        raise CommandError(f"{output} names a workbook, but the command writes CSV; use .csv")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
