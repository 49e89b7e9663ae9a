"""``comptoir import``: shop data from CSV files, in dependency order, with a progress line and
a summary of the rejected rows. Exits with 1 when a row was rejected, 2 when a file is missing."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from comptoir.shop.csv_import import KINDS, csv_import
from comptoir.threads.services import threads_link_customers


def _progress_bar(label: str, out: OutputWrapper) -> Callable[[int, int], None]:
    """A progress line, redrawn in place on a terminal, every 10 % otherwise."""
    interactive = out.isatty()
    shown = {"tenth": -1}

    def show(done: int, total: int) -> None:
        share = done / total if total else 1.0
        if interactive:
            bar = "#" * int(share * 30)
            line = f"\r  {label:<14} [{bar:<30}] {done:>9,}/{total:,}"
            out.write(line, style_func=str, ending="\n" if done >= total else "")
            out.flush()
        elif int(share * 10) > shown["tenth"]:
            shown["tenth"] = int(share * 10)
            out.write(f"  {label:<14} {done:>9,}/{total:,} rows", style_func=str)

    return show


# A cell starting with one of these is a formula to a spreadsheet (CSV injection); a leading
# apostrophe makes it text, shown as it came.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """``value`` as a spreadsheet cell that runs nothing: text that could start a formula gets
    a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class Command(BaseCommand):
    help = "Create or update shop data from CSV files (columns: see the API document)."

    def add_arguments(self, parser: CommandParser) -> None:
        for kind in KINDS:
            parser.add_argument(f"--{kind.name}", type=Path, metavar="FILE.csv")
        parser.add_argument(
            "--rejected", type=Path, metavar="FILE.csv", help="write every rejected row"
        )
        parser.add_argument(
            "--show", type=int, default=20, help="rejected rows printed (default 20)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        chosen = [(kind, options[kind.name.replace("-", "_")]) for kind in KINDS]
        chosen = [(kind, path) for kind, path in chosen if path is not None]
        if not chosen:
            raise CommandError("give at least one file, e.g. --customers customers.csv")
        for _kind, path in chosen:
            if not path.is_file():
                raise CommandError(f"no such file: {path}", returncode=2)
        rejected_rows: list[tuple[str, int, str, str, str]] = []
        for kind, path in chosen:
            report = csv_import(kind, path, progress=_progress_bar(kind.name, self.stderr))
            if kind.name == "customers":
                threads_link_customers(customer_ids=list(report.ids.values()))
            self.stdout.write(
                f"{kind.name}: {report.created:,} created, {report.updated:,} updated, "
                f"{len(report.rejected):,} rejected"
            )
            for row in report.rejected:
                for error in row.errors:
                    line = row.index + 2  # the header is line 1
                    rejected_rows.append(
                        (kind.name, line, row.external_id, error.field, error.message)
                    )
        show: int = options["show"]
        for name, line, external_id, field, message in rejected_rows[:show]:
            self.stdout.write(f"  {name} line {line} (id {external_id or '?'}): {field}: {message}")
        if len(rejected_rows) > show:
            self.stdout.write(
                f"  … and {len(rejected_rows) - show:,} more (--rejected FILE to keep them)"
            )
        rejected_file: Path | None = options["rejected"]
        if rejected_file and rejected_rows:
            with rejected_file.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["file", "line", "external_id", "field", "message"])
                # The ids, column names and messages quote the file: hostile values included.
                writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rejected_rows)
        if rejected_rows:
            raise CommandError(f"{len(rejected_rows):,} rows rejected", returncode=1)
