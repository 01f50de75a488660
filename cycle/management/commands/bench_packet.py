"""`manage.py bench_packet [--goals 100] [--repeat 5]`: how long the board packet takes to
render and how much memory it needs, next to the same packet rendered without the child
process and WeasyPrint rendering the same HTML string alone.

Not a test: it prints figures to compare over time. It builds a throwaway district with a
goal set of N goals (two indicators and three partners each, two pieces of feedback per goal)
inside a transaction that is rolled back at the end: nothing is kept.

- packet: `cycle.packet.render_packet(goal_set)`, i.e. the queries and the template here and
  WeasyPrint in a child process under the PDF time and memory limits, as the view runs them.
- packet in this process: the same, with WeasyPrint in this process (no child, no limits):
  the difference to the first is the cost of the child process.
- WeasyPrint alone: the packet's HTML, rendered once beforehand, given to WeasyPrint as a
  string with the same base URL, URL fetcher (our static stylesheet) and PDF/UA variant.

Time: after one warm-up run of each (fonts, caches), --repeat runs of each, interleaved so a
busy machine slows all alike; medians. Memory: the peak of Python allocations (tracemalloc)
during one more run (not for the packet: WeasyPrint's allocations are in its child), and -- in
a fresh process per renderer, so one cannot hide the other -- the growth of the peak resident
set (ru_maxrss, of the process or of the render's child, whichever is larger) over one render.
"""

import argparse
import gc
import json
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.template.loader import render_to_string
from weasyprint import HTML

from cycle.models import Feedback, StakeholderGroup
from cycle.packet import TEMPLATE, packet_context, render_packet
from cycle.pdf import ORIGIN, StaticOnlyFetcher, write_pdf
from goals.models import Goal, GoalSet, Indicator
from wbl.models import District, Partner, User

MODES = {
    "packet": "Packet (queries, template, WeasyPrint in a child)",
    "inline": "Packet in this process (no child)",
    "weasyprint": "WeasyPrint alone, same HTML string",
}
PAGE_SIZE = resource.getpagesize()


class Rollback(Exception):
    pass


def _rss_kib() -> int:
    """The process's resident set size now, in KiB (Linux)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return pages * PAGE_SIZE // 1024


def build_goal_set(goals: int) -> GoalSet:
    """A throwaway district and a goal set of `goals` goals. Call inside a transaction that
    is rolled back: plain creates, no history, since nothing is kept."""
    district = District.objects.create(
        name="Benchmark District",
        slug="bench-packet-throwaway",
        vision="Every student leaves with a plan and the experience to carry it out.",
        mission="We connect classrooms, employers and colleges.",
        graduate_profile="Graduates communicate, collaborate and manage their own learning.",
    )
    owner = User.objects.create_user("bench-owner@bench.invalid", full_name="Bench Owner")
    partners = [
        Partner.objects.create(district=district, name=f"Partner {n}", kind="employer")
        for n in range(3)
    ]
    goal_set = GoalSet.objects.create(
        district=district,
        level=GoalSet.Level.SYSTEM,
        title="Benchmark WBL system",
        stem="By 2030, the district will expand its WBL system to ensure that:",
        start_year=2025,
        target_year=2030,
    )
    rows = Goal.objects.bulk_create(
        Goal(
            goal_set=goal_set,
            statement=f"Goal {n}: seniors in every academy complete a structured internship "
            "with an employer partner and reflect on it in their exhibition",
            order=n,
            owner=owner,
            responsible_roles="Site WBL coordinators, academy leads, counselors",
        )
        for n in range(1, goals + 1)
    )
    Indicator.objects.bulk_create(
        Indicator(
            goal=goal,
            name=f"Seniors completing internships ({kind})",
            unit="percent",
            baseline_value=20,
            baseline_year=2025,
            target_value=50 + order,
            target_date=date(2030, 6, 30),
            order=order,
        )
        for goal in rows
        for order, kind in enumerate(["all students", "English learners"], start=1)
    )
    through = Goal.responsible_partners.through
    through.objects.bulk_create(
        through(goal_id=goal.pk, partner_id=partner.pk) for goal in rows for partner in partners
    )
    groups = StakeholderGroup.values
    Feedback.objects.bulk_create(
        Feedback(
            goal_set=goal_set,
            goal=goal if n % 2 else None,
            group=groups[(goal.order + n) % len(groups)],
            body=f"Comment {n} on goal {goal.order}: employers need students to arrive "
            "prepared, and families need to know the hours early.",
        )
        for goal in rows
        for n in range(2)
    )
    return goal_set


def _renderers(goal_set) -> dict:
    """The two ways to render, by mode; the HTML for WeasyPrint alone is made beforehand."""
    html = render_to_string(TEMPLATE, packet_context(goal_set))

    def weasyprint_alone():
        document = HTML(string=html, base_url=ORIGIN + "/", url_fetcher=StaticOnlyFetcher())
        return document.write_pdf(pdf_variant="pdf/ua-1")

    def inline():
        return write_pdf(render_to_string(TEMPLATE, packet_context(goal_set)), StaticOnlyFetcher())

    return {
        "packet": lambda: render_packet(goal_set),
        "inline": inline,
        "weasyprint": weasyprint_alone,
    }


def measure_time(goals: int, repeat: int) -> dict:
    """Both renderers in turn (packet, alone, packet, alone, ...), so that a busy machine
    slows both alike; then the peak of Python allocations of one more run of each."""
    with transaction.atomic():
        renderers = _renderers(build_goal_set(goals))
        sizes = {mode: len(render()) for mode, render in renderers.items()}  # warm-up
        times = {mode: [] for mode in renderers}
        for _ in range(repeat):
            for mode, render in renderers.items():
                gc.collect()  # no collection of the other renderer's garbage inside a timing
                start = time.perf_counter()
                render()
                times[mode].append(time.perf_counter() - start)
        traced = {"packet": None}  # WeasyPrint's allocations are in the child's process
        for mode, render in renderers.items():
            if mode == "packet":
                continue
            tracemalloc.start()
            render()
            traced[mode] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        transaction.set_rollback(True)
    return {
        mode: {
            "median_s": statistics.median(times[mode]),
            "min_s": min(times[mode]),
            "max_s": max(times[mode]),
            "python_peak_mib": None if traced[mode] is None else traced[mode] / 2**20,
            "pdf_kib": round(sizes[mode] / 1024, 1),
        }
        for mode in renderers
    }


def measure_memory(mode: str, goals: int) -> dict:
    """Growth of this process's peak resident set over one render (run in a fresh child
    process, so the figure is that render's alone)."""
    with transaction.atomic():
        render = _renderers(build_goal_set(goals))[mode]
        before = _rss_kib()
        render()
        peak = max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        transaction.set_rollback(True)
    return {"rss_growth_mib": max(peak - before, 0) / 1024, "peak_rss_mib": peak / 1024}


class Command(BaseCommand):
    help = (
        "Benchmark the board packet: time and peak memory of rendering a packet of N goals, "
        "next to WeasyPrint rendering the same HTML alone. Writes nothing (rolled back)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--goals", type=int, default=100, help="Goals in the set (100).")
        parser.add_argument("--repeat", type=int, default=5, help="Timed runs each (5).")
        parser.add_argument(
            "--inline",
            action="store_true",
            help="Measure in this process instead of one child process per measurement "
            "(peak resident memory is then shared by both and less telling).",
        )
        parser.add_argument("--child", choices=["time", *MODES], help=argparse.SUPPRESS)

    def handle(self, *args, goals, repeat, inline, child, **options):
        if goals < 1 or repeat < 1:
            raise CommandError("--goals and --repeat must be at least 1.")
        if child:
            result = (
                measure_time(goals, repeat) if child == "time" else measure_memory(child, goals)
            )
            self.stdout.write(json.dumps(result))
            return
        if inline:
            results = measure_time(goals, repeat)
        else:
            results = self.run_child("time", goals, repeat)
            for mode in MODES:
                results[mode].update(self.run_child(mode, goals, repeat))
        self.report(results, goals, repeat, inline)

    def run_child(self, child, goals, repeat) -> dict:
        command = [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "bench_packet",
            "--child",
            child,
            "--goals",
            str(goals),
            "--repeat",
            str(repeat),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise CommandError(f"The {child} measurement failed:\n{done.stderr[-2000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def report(self, results, goals, repeat, inline):
        packet, alone = results["packet"], results["weasyprint"]
        out = self.stdout
        memory = "not measured (--inline)" if inline else "one render in a fresh child process"
        out.write(
            f"Board packet benchmark: {goals} goals, {2 * goals} indicators, {2 * goals} "
            f"feedback comments. Times: median of {repeat} interleaved run(s) after a warm-up. "
            f"Peak resident memory: {memory}."
        )
        out.write(f"PDF: {packet['pdf_kib']} KiB (WeasyPrint alone: {alone['pdf_kib']} KiB).")
        header = ("", "median s", "min s", "max s", "peak RSS +MiB", "Python peak MiB")
        rows = [header]
        for mode, r in results.items():
            rows.append(
                (
                    MODES[mode],
                    f"{r['median_s']:.3f}",
                    f"{r['min_s']:.3f}",
                    f"{r['max_s']:.3f}",
                    "n/a" if inline else f"{r['rss_growth_mib']:.1f}",
                    "n/a" if r["python_peak_mib"] is None else f"{r['python_peak_mib']:.1f}",
                )
            )
        rows.append(
            (
                "Ratio packet / WeasyPrint alone",
                f"{packet['median_s'] / alone['median_s']:.2f}",
                "",
                "",
                "n/a"
                if inline or not alone["rss_growth_mib"]
                else f"{packet['rss_growth_mib'] / alone['rss_growth_mib']:.2f}",
                "n/a",
            )
        )
        rows.append(
            (
                "Ratio packet / packet in this process",
                f"{packet['median_s'] / results['inline']['median_s']:.2f}",
                "",
                "",
                "n/a"
                if inline or not results["inline"]["rss_growth_mib"]
                else f"{packet['rss_growth_mib'] / results['inline']['rss_growth_mib']:.2f}",
                "n/a",
            )
        )
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        for row in rows:
            cells = [row[0].ljust(widths[0])] + [
                cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
            ]
            out.write("  ".join(cells).rstrip())
