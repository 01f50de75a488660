"""`manage.py import_district FILE`: restore a district written by export_district.

Into an installation that does not hold the district (a new, empty one, or one with other
districts): refused, with nothing written, when its slug or any of its rows' keys are taken.
Everything is written in one transaction with the original primary keys, so history still
points at its objects; users keep their emails but get unusable passwords (support sets a new
one with `manage.py changepassword EMAIL`); PostgreSQL sequences are moved past the restored
keys.
"""

from django.core.management.base import BaseCommand, CommandError

from cycle import district_data
from cycle.management.commands.export_district import write_counts


class Command(BaseCommand):
    help = "Restore a district from a file written by export_district (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The file export_district wrote (.json or .json.gz).")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=district_data.BATCH_SIZE,
            help="Rows written to the database at a time.",
        )

    def handle(self, *args, file, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            stream = district_data.open_file(file, "r")
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}.") from None
        try:
            with stream:
                restored = district_data.restore(stream, batch_size=batch_size)
        except (OSError, EOFError) as error:  # e.g. a .gz name on a file that is not gzip
            raise CommandError(f"Cannot read {file}: {error}.") from None
        if options["verbosity"] > 0:
            self.stdout.write(f"Imported district {restored.district!r} from {file}:")
            write_counts(self.stdout, restored.inserted, restored.kept)
            if restored.kept:
                self.stdout.write(
                    "Users already in this installation (same id and email) were kept as they are."
                )
            self.stdout.write(
                "The restored users have no password here yet: set one with "
                "`manage.py changepassword EMAIL`."
            )
