"""`manage.py export_district SLUG [--output FILE]`: everything of one district in one file.

The district's organisation, members (never their passwords), goal sets in all versions with
their goals and indicators (deleted ones too), everything of the cycle, students and
experiences, and the history of all of it: see cycle.district_data for what is included and
the file's format. Without --output the file goes to standard output; a name ending in .gz is
compressed. `manage.py import_district FILE` brings it back.
"""

import os

from django.core.management.base import BaseCommand, CommandError

from cycle import district_data
from wbl.models import District


class Command(BaseCommand):
    help = (
        "Write everything of one district (without passwords) to one JSON file, for "
        "import_district."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The district's slug, as in its address (/d/SLUG/).")
        parser.add_argument(
            "--output", "-o", help="The file to write (.json, or .json.gz); default: stdout."
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=district_data.BATCH_SIZE,
            help="Rows read from the database at a time.",
        )

    def handle(self, *args, slug, output=None, batch_size, **options):
        district = District._base_manager.filter(slug=slug).first()
        if district is None:
            known = ", ".join(District._base_manager.values_list("slug", flat=True)) or "none"
            raise CommandError(f"No district with the slug {slug!r} (districts here: {known}).")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        if output:
            partial = output + ".partial"
            try:
                with district_data.open_file(partial, "w", gz=output.endswith(".gz")) as out:
                    counts = district_data.export(district, out, batch_size=batch_size)
            except BaseException:
                if os.path.exists(partial):
                    os.remove(partial)
                raise
            os.replace(partial, output)  # a file named OUTPUT is always complete
            report = self.stdout
        else:
            counts = district_data.export(district, _Unended(self.stdout), batch_size=batch_size)
            report = self.stderr
        if options["verbosity"] > 0:
            where = output or "standard output"
            report.write(f"Exported district {slug!r} to {where}:")
            write_counts(report, counts)


class _Unended:
    """Django's OutputWrapper adds a line ending to each write unless told not to."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text):
        self.wrapper.write(text, ending="")


def write_counts(out, counts: dict[str, int], kept: dict[str, int] | None = None) -> None:
    width = max(len(label) for label in counts)
    for label, count in counts.items():
        extra = f"  (+{kept[label]:,} already here, kept)" if kept and label in kept else ""
        out.write(f"  {label:<{width}}  {count:>10,}{extra}")
    out.write(f"  {'total':<{width}}  {sum(counts.values()):>10,} rows in {len(counts)} tables")
