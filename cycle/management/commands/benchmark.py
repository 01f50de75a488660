"""`manage.py benchmark`: speed on a `seed_scale` district, each figure next to a baseline
measured in the same run. Not part of the test suite (speed is never asserted in tests).

    createdb -h 127.0.0.1 -U postgres wbl_bench
    export DEBUG=true DATABASE_URL=postgres://postgres@127.0.0.1:5432/wbl_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py seed_scale            # 200,000 students, 2,000,000 experiences
    .venv/bin/python manage.py benchmark

Measured (requests go through Django's test Client with DEBUG off, the full middleware stack
and a signed-in district administrator):
- the goal-set page and the progress dashboard of the largest goal set: median and p95 over
  --requests requests, next to a trivial view behind the same sign-in (budget: p95 < 150 ms);
  likewise the student list and the public goals page as a visitor gets it (cached);
- one computed student indicator over a district-wide cohort: `compute_indicator` next to the
  hand-written SQL for the same figure (budget: < 300 ms and within 2x of the SQL);
- the 100,000-row experience CSV import (validation and writing with history, in a child
  process so its peak memory is its own), next to a COPY of the same rows (budgets: < 15 s,
  peak memory < 500 MB); the import is rolled back afterwards;
- the progress report PDF of the largest set, next to a one-line WeasyPrint PDF.
"""

import csv
import io
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, include, path, reverse

from cycle import csv_io, inventory
from cycle.management.commands.seed_scale import admin_email
from cycle.models import Experience, Student
from goals.models import GoalSet, Indicator
from wbl.access import Action, district_view
from wbl.models import District, Membership, User

BUDGET_PAGE_P95_MS = 150
BUDGET_COMPUTED_MS = 300
BUDGET_IMPORT_S = 15
BUDGET_IMPORT_MB = 500


@district_view(Action.VIEW)
def trivial(request):
    """The baseline page: sign-in, membership and middleware, and nothing else."""
    return HttpResponse("ok")


# The benchmark's URLs: the app's, plus the trivial baseline view.
urlpatterns = [
    path("d/<slug:district>/bench/trivial/", trivial, name="bench_trivial"),
    path("", include("wbl.urls")),
]

# The same figure as the rule {graduation_year, internship, at least H hours}, by hand.
# The CAST: SQLite gets a Decimal parameter as text, and a number is never >= a text there.
HAND_SQL = """
WITH hours AS (
    SELECT student_id, SUM(hours) AS total_hours
    FROM cycle_experience
    WHERE kind_id = %s
    GROUP BY student_id
)
SELECT COUNT(*), COUNT(*) FILTER (WHERE hours.total_hours >= CAST(%s AS NUMERIC))
FROM cycle_student AS s LEFT JOIN hours ON hours.student_id = s.id
WHERE s.district_id = %s AND s.graduation_year = %s
"""


def ms(seconds: float) -> float:
    return seconds * 1000


def summary(samples):
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return statistics.median(ordered), p95


class Command(BaseCommand):
    help = (
        "Benchmark pages, a computed indicator, the 100,000-row experience import and the "
        "progress PDF on a seed_scale district (PostgreSQL), each next to a baseline."
    )

    def add_arguments(self, parser):
        parser.add_argument("--district", default="scale")
        parser.add_argument("--requests", type=int, default=30)
        parser.add_argument("--import-rows", type=int, default=100_000)
        parser.add_argument("--skip-import", action="store_true")
        parser.add_argument(
            "--only",
            choices=["pages", "computed", "import", "pdf"],
            action="append",
            help="Run only these parts (repeatable); all by default.",
        )
        parser.add_argument("--child-import", help=argparse_hidden())

    def handle(self, *args, **options):
        if options["child_import"]:
            return self.child_import(options["district"], options["child_import"])
        district = District.objects.filter(slug=options["district"]).first()
        if district is None:
            raise CommandError(
                f"No district “{options['district']}”: run `manage.py seed_scale` first."
            )
        if connection.vendor != "postgresql":
            self.stdout.write("Note: not on PostgreSQL; the budgets are for PostgreSQL.")
        self.district = district
        self.admin = User.objects.get(email=admin_email(district.slug))
        self.results = []
        self.environment()
        with override_settings(
            ROOT_URLCONF=__name__, DEBUG=False, ALLOWED_HOSTS=["*"], SECURE_SSL_REDIRECT=False
        ):
            parts = set(options["only"] or ["pages", "computed", "import", "pdf"])
            if options["skip_import"]:
                parts.discard("import")
            if "pages" in parts:
                self.pages(options["requests"])
            if "computed" in parts:
                self.computed()
            if "import" in parts:
                self.import_csv(options["import_rows"])
            if "pdf" in parts:
                self.pdf()
        self.report()

    # -- context ---------------------------------------------------------------------------

    def environment(self):
        d = self.district
        students = Student.objects.filter(district=d).count()
        experiences = Experience.objects.filter(student__district=d).count()
        # Soft-deleted goals and indicators are not shown, so they are not counted either
        # (the default manager hides deleted rows of its own model, not of the ones it joins).
        indicators = Indicator.objects.filter(
            goal__goal_set__district=d,
            goal__deleted_at__isnull=True,
            goal__goal_set__deleted_at__isnull=True,
        ).count()
        live = Q(goals__deleted_at__isnull=True, goals__indicators__deleted_at__isnull=True)
        self.biggest = (
            GoalSet.objects.filter(district=d, level=GoalSet.Level.SYSTEM)
            .annotate(n=Count("goals__indicators", filter=live))
            .order_by("-n")
            .first()
        )
        version = connection.pg_version if self.postgres else ""
        self.stdout.write(
            f"District “{d.slug}”: {d.schools.count()} schools, {students:,} students, "
            f"{experiences:,} experiences, {indicators:,} indicators; largest goal set "
            f"{self.biggest.n} indicators. Database: {connection.vendor} {version}; "
            f"{os.cpu_count()} CPUs."
        )

    @property
    def postgres(self):
        return connection.vendor == "postgresql"

    def add(self, what, measured, baseline, budget, ok, queries=""):
        self.results.append((what, measured, baseline, budget, ok, queries))
        self.stdout.write(f"  {what}: {measured} (baseline {baseline}){' ' + queries}")

    # -- pages -----------------------------------------------------------------------------

    def time_get(self, client, url, n, warm_up=2):
        response = client.get(url)  # warm up (and check)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")
        for _ in range(warm_up):
            client.get(url)
        # A request starts by resetting the query log: count from an empty one.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        query_count = len(queries)  # now: later requests reset the log it reads
        samples = []
        for _ in range(n):
            started = time.perf_counter()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            samples.append(time.perf_counter() - started)
        return summary(samples), query_count

    def pages(self, n):
        self.stdout.write(f"Pages ({n} requests each):")
        client = Client()
        client.force_login(self.admin)
        slug, pk = self.district.slug, self.biggest.pk
        (base_median, base_p95), base_queries = self.time_get(
            client, reverse("bench_trivial", args=[slug]), n
        )
        self.baseline_page = f"median {ms(base_median):.1f} ms, p95 {ms(base_p95):.1f} ms"
        pages = [("Goal set page", "goals:set_detail"), ("Progress dashboard", "cycle:dashboard")]
        for label, name in pages:
            try:
                url = reverse(name, args=[slug, pk])
            except NoReverseMatch:
                self.stdout.write(f"  {label}: skipped ({name} does not exist in this build)")
                continue
            (median, p95), queries = self.time_get(client, url, n)
            self.add(
                f"{label} ({self.biggest.n} indicators)",
                f"median {ms(median):.1f} ms, p95 {ms(p95):.1f} ms",
                f"trivial view {self.baseline_page}",
                f"p95 < {BUDGET_PAGE_P95_MS} ms",
                ms(p95) < BUDGET_PAGE_P95_MS,
                f"[{queries} queries; trivial view {base_queries}]",
            )
        student_set = GoalSet.objects.filter(
            district=self.district, level=GoalSet.Level.STUDENT
        ).first()
        rule = inventory.rule_for(self.benchmark_indicator())
        if student_set is not None and rule is not None:
            url = reverse("cycle:computed", args=[slug, rule.indicator_id])
            (median, p95), queries = self.time_get(client, url, max(5, n // 3))
            self.add(
                "Computed indicator page (value and breakdowns, district-wide cohort)",
                f"median {ms(median):.1f} ms, p95 {ms(p95):.1f} ms",
                f"trivial view {self.baseline_page}",
                "(no budget)",
                None,
                f"[{queries} queries]",
            )
        url = reverse("cycle:students", args=[slug])
        (median, p95), queries = self.time_get(client, url, max(5, n // 3))
        self.add(
            "Student list, first page",
            f"median {ms(median):.1f} ms, p95 {ms(p95):.1f} ms",
            f"trivial view {self.baseline_page}",
            f"p95 < {BUDGET_PAGE_P95_MS} ms",
            ms(p95) < BUDGET_PAGE_P95_MS,
            f"[{queries} queries]",
        )
        # The public page as a visitor gets it: from the cache, after one query for its mark.
        url = reverse("public:district", args=[slug])
        (median, p95), queries = self.time_get(Client(), url, n)
        self.add(
            "Public goals page, cached (no sign-in)",
            f"median {ms(median):.1f} ms, p95 {ms(p95):.1f} ms",
            f"trivial view {self.baseline_page}",
            f"p95 < {BUDGET_PAGE_P95_MS} ms",
            ms(p95) < BUDGET_PAGE_P95_MS,
            f"[{queries} queries]",
        )

    # -- one computed indicator ------------------------------------------------------------

    def benchmark_indicator(self):
        return (
            Indicator.objects.filter(
                goal__goal_set__district=self.district,
                rule__graduation_year__isnull=False,
                rule__min_hours__isnull=False,
            )
            .select_related("rule")
            .order_by("pk")
            .first()
        )

    def computed(self, n=15):
        indicator = self.benchmark_indicator()
        if indicator is None:
            self.stdout.write("Computed indicator: skipped (no internship-hours rule found)")
            return
        rule = indicator.rule
        self.stdout.write("Computed indicator (this year's seniors with enough internship hours):")
        params = [rule.kind_id, rule.min_hours, self.district.pk, rule.graduation_year]
        with connection.cursor() as cursor:
            cursor.execute(HAND_SQL, params)
            by_hand = cursor.fetchone()
        figure = inventory.compute(rule)
        if (figure.total, figure.meeting) != tuple(by_hand):
            raise CommandError(f"The figures differ: ORM {figure}, SQL {by_hand}")
        fresh = Indicator.objects.select_related("rule").get(pk=indicator.pk)
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            inventory.compute_indicator(fresh)
        query_count = len(queries)
        orm, sql = [], []
        for _ in range(n):
            fresh = Indicator.objects.select_related("rule").get(pk=indicator.pk)
            started = time.perf_counter()
            inventory.compute_indicator(fresh)
            orm.append(time.perf_counter() - started)
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(HAND_SQL, params)
                cursor.fetchone()
            sql.append(time.perf_counter() - started)
        orm_median, sql_median = statistics.median(orm), statistics.median(sql)
        ratio = orm_median / sql_median
        self.add(
            f"compute_indicator: {figure.meeting:,} of {figure.total:,} students ({figure.value}%)",
            f"median {ms(orm_median):.1f} ms ({query_count} query), {ratio:.2f}x the SQL",
            f"hand-written SQL median {ms(sql_median):.1f} ms",
            f"< {BUDGET_COMPUTED_MS} ms and <= 2x the SQL",
            ms(orm_median) < BUDGET_COMPUTED_MS and ratio <= 2,
        )

    # -- the 100,000-row import ------------------------------------------------------------

    def make_csv(self, rows: int) -> tuple[bytes, list]:
        rnd = random.Random(7)
        students = list(
            Student.objects.filter(district=self.district)
            .order_by("pk")
            .values_list("local_id", "pk")[:50_000]
        )
        kinds = inventory.experience_kinds(self.district)
        partners = list(self.district.partners.values_list("name", "pk"))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(
            ["Student ID", "Kind", "Date", "Hours", "Partner", "Proficiency", "Reflection", "By"]
        )
        resolved = []
        for _ in range(rows):
            local_id, student_pk = rnd.choice(students)
            kind = rnd.choice(kinds)
            partner, partner_pk = rnd.choice(partners)
            hours = rnd.randrange(1, 30)
            day = date(2025, rnd.randrange(1, 13), rnd.randrange(1, 29))
            proficiency = rnd.randint(1, 4)
            writer.writerow(
                [local_id, kind.name, day.isoformat(), hours, partner, proficiency, "yes", "Coach"]
            )
            resolved.append(
                (student_pk, kind.pk, day, hours, partner_pk, proficiency, True, "Coach", 1)
            )
        return out.getvalue().encode("utf-8"), resolved

    def import_csv(self, rows):
        self.stdout.write(f"CSV import of {rows:,} experiences (child process, rolled back):")
        data, resolved = self.make_csv(rows)
        with tempfile.NamedTemporaryFile(suffix=".csv", delete=False) as handle:
            handle.write(data)
            name = handle.name
        try:
            command = [
                sys.executable,
                str(settings.BASE_DIR / "manage.py"),
                "benchmark",
                "--district",
                self.district.slug,
                "--child-import",
                name,
            ]
            result = subprocess.run(command, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                raise CommandError(f"The import child failed:\n{result.stderr[-3000:]}")
            child = json.loads(result.stdout.strip().splitlines()[-1])
        finally:
            os.unlink(name)
        copy_seconds = self.copy_baseline(resolved)
        self.add(
            f"Experience CSV import, {child['rows']:,} rows ({len(data) / 1e6:.1f} MB), "
            "with history",
            f"{child['seconds']:.1f} s (preview alone {child['preview_seconds']:.1f} s), "
            f"peak memory {child['peak_mb']:.0f} MB (process before import "
            f"{child['before_mb']:.0f} MB)",
            f"COPY of the same rows {copy_seconds:.2f} s",
            f"< {BUDGET_IMPORT_S} s, < {BUDGET_IMPORT_MB} MB",
            child["seconds"] < BUDGET_IMPORT_S and child["peak_mb"] < BUDGET_IMPORT_MB,
        )

    def copy_baseline(self, resolved) -> float:
        from cycle.management.commands.seed_scale import Writer

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
        try:
            with transaction.atomic():
                started = time.perf_counter()
                writer.write(resolved)
                elapsed = time.perf_counter() - started
                raise _Rollback
        except _Rollback:
            pass
        return elapsed

    def child_import(self, slug, filename):
        """In a fresh process: preview (validate), then confirm (validate + write with
        history) in a transaction that is rolled back; print the figures as JSON."""
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        district = District.objects.get(slug=slug)
        user = User.objects.get(email=admin_email(slug))
        membership = Membership.objects.get(user=user, district=district)
        with open(filename, "rb") as handle:
            data = handle.read()
        importer = csv_io.ExperienceImporter(membership=membership, user=user)
        started = time.perf_counter()
        report = csv_io.validate(importer, data, "bench.csv")
        preview = time.perf_counter() - started
        if not report.ok:
            raise CommandError(f"Import refused: {report.file_error or report.errors[:5]}")
        importer = csv_io.ExperienceImporter(membership=membership, user=user)
        try:
            with transaction.atomic():
                started = time.perf_counter()
                _, written = csv_io.run(importer, data, "bench.csv")
                seconds = time.perf_counter() - started
                history = Experience.history.filter(history_user=user).count()
                raise _Rollback
        except _Rollback:
            pass
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(
            json.dumps(
                {
                    "rows": written,
                    "history_rows": history,
                    "seconds": seconds,
                    "preview_seconds": preview,
                    "peak_mb": peak,
                    "before_mb": before,
                }
            )
        )

    # -- the PDF ---------------------------------------------------------------------------

    def pdf(self, n=3):
        try:
            url = reverse("cycle:progress_pdf", args=[self.district.slug, self.biggest.pk])
        except NoReverseMatch:
            self.stdout.write("Progress PDF: skipped (cycle:progress_pdf does not exist)")
            return
        from weasyprint import HTML

        self.stdout.write(f"Progress report PDF ({n} requests):")
        client = Client()
        client.force_login(self.admin)
        (median, p95), queries = self.time_get(client, url, n, warm_up=0)
        baseline = []
        for _ in range(n):
            started = time.perf_counter()
            HTML(string='<html lang="en"><title>Baseline</title><p>Baseline</p></html>').write_pdf(
                pdf_variant="pdf/ua-1"
            )
            baseline.append(time.perf_counter() - started)
        self.add(
            f"Progress report PDF ({self.biggest.n} indicators)",
            f"median {median:.2f} s, p95 {p95:.2f} s",
            f"one-line WeasyPrint PDF median {statistics.median(baseline):.2f} s",
            "(no budget)",
            None,
            f"[{queries} queries]",
        )

    # -- the table -------------------------------------------------------------------------

    def report(self):
        self.stdout.write("")
        self.stdout.write("| What | Measured | Baseline (same run) | Budget | Within |")
        self.stdout.write("|---|---|---|---|---|")
        for what, measured, baseline, budget, ok, queries in self.results:
            verdict = "—" if ok is None else ("yes" if ok else "NO")
            extra = f" {queries}" if queries else ""
            self.stdout.write(f"| {what} | {measured}{extra} | {baseline} | {budget} | {verdict} |")


class _Rollback(Exception):
    pass


def argparse_hidden():
    import argparse

    return argparse.SUPPRESS
