"""`manage.py seed_scale`: a large synthetic district for benchmarks.

Sizes are options (defaults: the large-district reference size). Rows are written in chunks,
with COPY on PostgreSQL and bulk INSERTs elsewhere, so the reference size takes minutes on
PostgreSQL. Synthetic rows get NO per-row history (history is for what people do; a benchmark
district has no people behind it), except the few standard kinds and groups the app creates
itself. Deterministic for a given --seed. Refuses an existing district unless --replace.
"""

import random
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from cycle import inventory
from cycle.models import ComputedRule, Experience, ProgressEntry, Student
from goals.models import Goal, GoalSet, Indicator, Stage
from wbl.models import District, Membership, Partner, Pathway, School, User

CHUNK = 20_000
SCHOOL_YEAR_END = 2026  # seniors (grade 12) graduate in this year
BIG_SET_GOALS = 200  # one goal set this large, for the dashboard and goal-set page benchmarks
SET_GOALS = 50


def admin_email(slug: str) -> str:
    return f"admin@{slug}.seed.wbl"


def board_email(slug: str) -> str:
    return f"board@{slug}.seed.wbl"


class Progress:
    """A one-line progress bar on stderr (\\r-updated), one line per table when done."""

    def __init__(self, label: str, total: int, stream=None, enabled=True):
        self.label, self.total, self.done = label, max(total, 1), 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.started = time.monotonic()

    def add(self, n: int):
        self.done += n
        if self.enabled:
            share = self.done / self.total
            bar = "#" * int(share * 30)
            rate = self.done / max(time.monotonic() - self.started, 1e-6)
            self.stream.write(
                f"\r{self.label:<18} [{bar:<30}] {self.done:>10,}/{self.total:,} {rate:>9,.0f}/s"
            )
            self.stream.flush()

    def close(self):
        if self.enabled:
            elapsed = time.monotonic() - self.started
            self.stream.write(f"  {elapsed:.1f}s\n")
            self.stream.flush()


class Writer:
    """Insert many rows of one model: COPY on PostgreSQL, bulk_create elsewhere."""

    def __init__(self, model, fields):
        self.model, self.fields = model, fields
        self.postgres = connection.vendor == "postgresql"

    def write(self, rows):
        if not rows:
            return
        if self.postgres:
            from psycopg import sql

            meta = self.model._meta
            columns = [meta.get_field(f).column for f in self.fields]
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(meta.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
            )
            with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            attnames = [self.model._meta.get_field(f).attname for f in self.fields]
            self.model.objects.bulk_create(
                [self.model(**dict(zip(attnames, row, strict=True))) for row in rows],
                batch_size=2000,
            )


class Command(BaseCommand):
    help = (
        "Build a large synthetic district for benchmarks (300 schools, 200,000 students, "
        "2,000,000 WBL experiences, 1,000 goals, 50,000 progress entries by default). Rows are "
        "bulk-inserted in chunks (COPY on PostgreSQL) with NO per-row history: synthetic data "
        "has nobody behind it. Refuses an existing district unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("--district", default="scale", help="The district's slug.")
        parser.add_argument("--schools", type=int, default=300)
        parser.add_argument("--students", type=int, default=200_000)
        parser.add_argument("--experiences", type=int, default=2_000_000)
        parser.add_argument("--goals", type=int, default=1_000)
        parser.add_argument("--progress", type=int, default=50_000)
        parser.add_argument("--seed", type=int, default=2017)
        parser.add_argument(
            "--replace", action="store_true", help="Delete the district first if it exists."
        )
        parser.add_argument("--no-progress-bar", action="store_true")

    def handle(self, *args, **options):
        slug = options["district"]
        for name in ("schools", "students", "goals"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1.")
        self.bar = not options["no_progress_bar"] and options["verbosity"] > 0
        self.random = random.Random(options["seed"])
        started = time.monotonic()
        existing = District.objects.filter(slug=slug).first()
        if existing is not None:
            if not options["replace"]:
                raise CommandError(
                    f"District “{slug}” already exists. Use --replace to delete and rebuild it."
                )
            self.stdout.write(f"Deleting district “{slug}” ...")
            delete_district(existing)
        with transaction.atomic():
            self.build(slug, options)
        if connection.vendor == "postgresql":
            # Statistics for the planner, and the visibility map that lets the computed
            # indicators read the (kind, student) covering index alone.
            with connection.cursor() as cursor:
                if connection.in_atomic_block:  # (inside a test's transaction)
                    cursor.execute("ANALYZE")
                else:
                    cursor.execute("VACUUM ANALYZE")
        if options["verbosity"] > 0:
            self.stdout.write(
                f"District “{slug}” built in {time.monotonic() - started:.0f}s. Sign-in for "
                f"benchmarks: {admin_email(slug)} (no password; the benchmark logs in directly)."
            )

    # -- the district ----------------------------------------------------------------------

    def build(self, slug, options):
        district = District.objects.create(name=f"Scale District ({slug})", slug=slug)
        admin = self.user(admin_email(slug), "Scale Admin")
        board = self.user(board_email(slug), "Scale Board Member")
        Membership.objects.create(user=admin, district=district, role=Membership.Role.ADMIN)
        Membership.objects.create(user=board, district=district, role=Membership.Role.BOARD)

        schools = School.objects.bulk_create(
            School(district=district, name=f"School {n:03d}")
            for n in range(1, options["schools"] + 1)
        )
        pathways = Pathway.objects.bulk_create(
            Pathway(district=district, name=f"Pathway {n:03d}", school=school)
            for n, school in enumerate(schools, start=1)
        )
        partners = Partner.objects.bulk_create(
            Partner(district=district, name=f"Partner {n:03d}", kind=Partner.Kind.EMPLOYER)
            for n in range(1, 51)
        )
        kinds = {k.key: k for k in inventory.experience_kinds(district, by=admin)}
        groups = inventory.student_groups(district, by=admin)

        student_ids = self.students(district, schools, pathways, groups, options["students"])
        self.experiences(student_ids, kinds, partners, options["experiences"])
        indicators = self.goals(district, admin, kinds, options["goals"])
        self.progress(indicators, admin, options["progress"])

    @staticmethod
    def user(email, name):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, None, full_name=name)
        return user

    def students(self, district, schools, pathways, groups, total):
        rnd = self.random
        bar = Progress("students", total, enabled=self.bar)
        writer = Writer(
            Student,
            [
                "district",
                "local_id",
                "display_name",
                "school",
                "pathway",
                "grade",
                "graduation_year",
                "row_version",
            ],
        )
        for start in range(0, total, CHUNK):
            rows = []
            for n in range(start, min(start + CHUNK, total)):
                index = rnd.randrange(len(schools))
                grade = 9 + n % 4
                rows.append(
                    (
                        district.pk,
                        f"S{n + 1:07d}",
                        "",
                        schools[index].pk,
                        pathways[index].pk if rnd.random() < 0.7 else None,
                        grade,
                        SCHOOL_YEAR_END + 12 - grade,
                        1,
                    )
                )
            writer.write(rows)
            bar.add(len(rows))
        bar.close()
        ids = list(
            Student.objects.filter(district=district).order_by("pk").values_list("pk", flat=True)
        )
        through = Student.groups.through
        links = Writer(through, ["student", "studentgroup"])
        shares = [0.15, 0.12, 0.4, 0.01]  # English learners, disabilities, low income, foster
        bar = Progress("student groups", len(ids), enabled=self.bar)
        for start in range(0, len(ids), CHUNK):
            rows = [
                (pk, group.pk)
                for pk in ids[start : start + CHUNK]
                for group, share in zip(groups, shares, strict=False)
                if rnd.random() < share
            ]
            links.write(rows)
            bar.add(min(CHUNK, len(ids) - start))
        bar.close()
        return ids

    def experiences(self, student_ids, kinds, partners, total):
        rnd = self.random
        weights = {
            "guest-speaker": 20,
            "career-exploration-project": 12,
            "job-shadow": 15,
            "mock-interview": 10,
            "resume": 10,
            "employment-application": 8,
            "internship": 15,
            "microcredential": 6,
            "senior-defense": 4,
        }
        keys = list(weights)
        kind_ids = [kinds[k].pk for k in keys]
        cumulative = [sum(list(weights.values())[: i + 1]) for i in range(len(keys))]
        partner_ids = [p.pk for p in partners]
        first_day = date(SCHOOL_YEAR_END - 4, 8, 15).toordinal()
        span = 4 * 365
        writer = Writer(
            Experience,
            [
                "student",
                "kind",
                "date",
                "hours",
                "partner",
                "proficiency",
                "reflection_submitted",
                "verified_by",
                "row_version",
            ],
        )
        bar = Progress("experiences", total, enabled=self.bar)
        internship = keys.index("internship")
        shadow = keys.index("job-shadow")
        scored = {keys.index(k) for k in ("career-exploration-project", "senior-defense")}
        for start in range(0, total, CHUNK):
            rows = []
            for _ in range(min(CHUNK, total - start)):
                k = rnd.choices(range(len(keys)), cum_weights=cumulative)[0]
                hours = None
                if k == internship:
                    hours = Decimal(rnd.randrange(4, 41))
                elif k == shadow:
                    hours = Decimal(rnd.randrange(2, 7))
                rows.append(
                    (
                        rnd.choice(student_ids),
                        kind_ids[k],
                        date.fromordinal(first_day + rnd.randrange(span)),
                        hours,
                        rnd.choice(partner_ids) if k in (internship, shadow) else None,
                        rnd.randint(1, 4) if k in scored else None,
                        rnd.random() < 0.7,
                        "",
                        1,
                    )
                )
            writer.write(rows)
            bar.add(len(rows))
        bar.close()

    def goals(self, district, admin, kinds, total):
        """Goal sets in Monitor: one of BIG_SET_GOALS goals, the rest of SET_GOALS, one goal
        and indicator each; the last set is student-level with computed indicators."""
        student_size = max(1, min(SET_GOALS, total // 10)) if total > 1 else 0
        sizes = [min(BIG_SET_GOALS, total - student_size)]
        while sum(sizes) < total - student_size:
            sizes.append(min(SET_GOALS, total - student_size - sum(sizes)))
        if student_size:
            sizes.append(student_size)
        bar = Progress("goals", total, enabled=self.bar)
        indicators = []
        for number, size in enumerate(sizes, start=1):
            student = bool(student_size) and number == len(sizes)
            goal_set = GoalSet.objects.create(
                district=district,
                level=GoalSet.Level.STUDENT if student else GoalSet.Level.SYSTEM,
                title=("Scale student goals" if student else f"Scale goal set {number:02d}"),
                stem="By 2026, the district will ensure that:",
                start_year=SCHOOL_YEAR_END - 4,
                target_year=SCHOOL_YEAR_END,
                stage=Stage.MONITOR,
                data_steward=admin,
            )
            goals = Goal.objects.bulk_create(
                Goal(
                    goal_set=goal_set,
                    statement=f"Synthetic goal {number}.{n}: more students reach a WBL milestone",
                    order=n,
                    topic_area=Goal.TopicArea.OPPORTUNITIES,
                    owner=admin,
                )
                for n in range(1, size + 1)
            )
            made = Indicator.objects.bulk_create(
                Indicator(
                    goal=goal,
                    name=f"Indicator {number}.{n}",
                    unit=Indicator.Unit.PERCENT,
                    baseline_value=Decimal(20 + n % 30),
                    baseline_year=SCHOOL_YEAR_END - 4,
                    target_value=Decimal(60 + n % 40),
                    target_date=date(SCHOOL_YEAR_END, 6, 30),
                    direction=Indicator.Direction.INCREASE,
                    milestones={str(SCHOOL_YEAR_END - 2): 40, str(SCHOOL_YEAR_END - 1): 50},
                    collection_frequency=Indicator.Frequency.QUARTERLY,
                    order=1,
                )
                for n, goal in enumerate(goals, start=1)
            )
            if student:
                self.rules(made, kinds)
            else:
                indicators.extend(made)
            bar.add(size)
        bar.close()
        return indicators

    @staticmethod
    def rules(indicators, kinds):
        """Computed indicators over district-wide cohorts."""
        specs = [
            # This year's seniors with 40 or more internship hours (the benchmark's figure).
            {"graduation_year": SCHOOL_YEAR_END, "kind": kinds["internship"], "min_hours": 40},
            {
                "grade": 10,
                "kind": kinds["job-shadow"],
                "min_count": 2,
                "reflection_required": True,
            },
            {"grade": 9, "kind": kinds["career-exploration-project"], "min_proficiency": 3},
            {"grade": 11, "kind": kinds["mock-interview"], "also_kind": kinds["resume"]},
        ]
        rules = [
            ComputedRule(indicator=indicator, **specs[n % len(specs)])
            for n, indicator in enumerate(indicators)
        ]
        ComputedRule.objects.bulk_create(rules)
        Indicator.objects.filter(pk__in=[i.pk for i in indicators]).update(
            source=Indicator.Source.COMPUTED
        )

    def progress(self, indicators, admin, total):
        if not indicators or total < 1:
            return
        rnd = self.random
        writer = Writer(
            ProgressEntry,
            [
                "indicator",
                "value",
                "as_of",
                "note",
                "evidence_url",
                "entered_by",
                "created_at",
                "row_version",
            ],
        )
        now = timezone.now()
        per_indicator = max(total // len(indicators), 1)
        start_day = date(SCHOOL_YEAR_END - 4, 9, 1)
        bar = Progress("progress entries", total, enabled=self.bar)
        rows = []
        written = 0
        for n in range(total):
            indicator = indicators[n % len(indicators)]
            step = n // len(indicators)
            when = start_day + timedelta(days=int(step * (4 * 365) / per_indicator))
            value = Decimal(min(100, 20 + step * 40 // per_indicator + rnd.randrange(-5, 6)))
            rows.append((indicator.pk, max(value, 0), when, "", "", admin.pk, now, 1))
            if len(rows) == CHUNK:
                writer.write(rows)
                written += len(rows)
                bar.add(len(rows))
                rows = []
        writer.write(rows)
        bar.add(len(rows))
        bar.close()


def delete_district(district):
    """Delete a synthetic district fast: the large tables with plain DELETEs (no signals, so no
    history rows for millions of deletions), then the rest through the ORM."""
    with transaction.atomic():
        students = Student.objects.filter(district=district)
        Experience.objects.filter(student__in=students.values("pk"))._raw_delete("default")
        Student.groups.through.objects.filter(student__in=students.values("pk"))._raw_delete(
            "default"
        )
        ProgressEntry.objects.filter(indicator__goal__goal_set__district=district)._raw_delete(
            "default"
        )
        students._raw_delete("default")
        ComputedRule.objects.filter(kind__district=district)._raw_delete("default")
        district.delete()
