"""`manage.py purge_deleted [--dry-run]`: remove for good the goal sets, goals and indicators
deleted more than 30 days ago (goals.models.RESTORE_WINDOW), with what goes with them.

Until then an admin can restore them from the district's "Recently deleted" page. Their
history stays and ends with a "Removed for good" row. Run it daily (cron or a scheduler);
running it twice does nothing more.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from goals import services
from goals.models import RESTORE_WINDOW, Goal, GoalSet, Indicator


class Command(BaseCommand):
    help = (
        f"Remove for good the goal sets, goals and indicators deleted more than "
        f"{RESTORE_WINDOW.days} days ago."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be removed; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        if dry_run:
            cutoff = timezone.now() - RESTORE_WINDOW
            counts = {
                str(model._meta.verbose_name_plural): model.all_objects.filter(
                    deleted_at__lt=cutoff
                ).count()
                for model in (GoalSet, Goal, Indicator)
            }
            self.stdout.write(f"Would remove for good: {self._summary(counts)}.")
            return
        removed, kept = services.purge()
        self.stdout.write(
            f"Removed for good: {self._summary(removed)} (deleted more than "
            f"{RESTORE_WINDOW.days} days ago)."
        )
        for line in kept:
            self.stderr.write(f"Kept: {line}")

    @staticmethod
    def _summary(counts) -> str:
        order = ["goal sets", "goals", "indicators"]
        return ", ".join(f"{counts.get(kind, 0)} {kind}" for kind in order)
