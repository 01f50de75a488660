"""`manage.py prepare_load`: the people and goal sets the load script (tests/load/) needs, in a
`seed_scale` district. Idempotent: run it before every load run.

- one login per simulated role (staff, coordinator, board), all with the password given by
  --password (the load script reads the same value from LOAD_PASSWORD);
- a Draft goal set of --goals goals that the simulated staff edit (adopted sets are frozen);
- a school-scoped goal set in Monitor whose indicators the simulated coordinators log values
  for (coordinators log only within their schools and pathways).

Nothing here is for a real district: it refuses to run on a district that is not a seed.
"""

from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cycle.management.commands.seed_scale import admin_email
from goals.models import Goal, GoalSet, Indicator, Stage
from wbl.models import District, Membership, School, User

DRAFT_TITLE = "Load test: draft goals"
LOGGING_TITLE = "Load test: school goals in Monitor"


def load_email(role: str, slug: str) -> str:
    return f"load-{role}@{slug}.seed.wbl"


class Command(BaseCommand):
    help = "Prepare a seed_scale district for the load script (users, a draft set, a set to log)."

    def add_arguments(self, parser):
        parser.add_argument("--district", default="scale")
        parser.add_argument("--password", required=True)
        parser.add_argument("--goals", type=int, default=25)

    @transaction.atomic
    def handle(self, *args, district, password, goals, **options):
        found = District.objects.filter(slug=district).first()
        if found is None or not User.objects.filter(email=admin_email(district)).exists():
            raise CommandError(f"No seed district “{district}”: run manage.py seed_scale first.")
        admin = User.objects.get(email=admin_email(district))
        school = School.objects.filter(district=found).order_by("name").first()
        roles = {
            "staff": Membership.Role.STAFF,
            "coordinator": Membership.Role.COORDINATOR,
            "board": Membership.Role.BOARD,
        }
        for key, role in roles.items():
            user = User.objects.filter(email=load_email(key, district)).first()
            if user is None:
                user = User.objects.create_user(
                    load_email(key, district), password, full_name=f"Load {key}"
                )
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
            membership, _ = Membership.objects.get_or_create(
                user=user, district=found, defaults={"role": role}
            )
            if role == Membership.Role.COORDINATOR:
                membership.schools.add(school)
        draft = self.goal_set(found, admin, DRAFT_TITLE, Stage.DRAFT, goals)
        logged = self.goal_set(found, admin, LOGGING_TITLE, Stage.MONITOR, 10, school=school)
        self.stdout.write(
            f"Ready: {', '.join(load_email(k, district) for k in roles)}; draft set {draft.pk} "
            f"({draft.goals.count()} goals), set to log {logged.pk} (school {school})."
        )

    @staticmethod
    def goal_set(district, admin, title, stage, size, school=None):
        goal_set = GoalSet.objects.filter(district=district, title=title).first()
        if goal_set is not None:
            return goal_set
        goal_set = GoalSet.objects.create(
            district=district,
            level=GoalSet.Level.SYSTEM,
            title=title,
            scope=GoalSet.Scope.SCHOOL if school else GoalSet.Scope.DISTRICT,
            school=school,
            stem="By 2026, the district will ensure that:",
            start_year=2022,
            target_year=2026,
            stage=stage,
            data_steward=admin,
        )
        for n in range(1, size + 1):
            goal = Goal.objects.create(
                goal_set=goal_set,
                statement=f"Load goal {n}: more students reach a WBL milestone",
                order=n,
                topic_area=Goal.TopicArea.OPPORTUNITIES,
                owner=admin,
            )
            Indicator.objects.create(
                goal=goal,
                name=f"Load indicator {n}",
                unit=Indicator.Unit.PERCENT,
                baseline_value=Decimal(20),
                baseline_year=2022,
                target_value=Decimal(60),
                target_date=date(2026, 6, 30),
                order=1,
            )
        return goal_set
