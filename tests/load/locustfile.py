"""Load script for WBL Goals (locust, headless). Not a test: it measures; nothing asserts speed.

Run against `make serve` on the `seed_scale` district in PostgreSQL (see README, "Load"):

    make serve DATABASE_URL=postgres://postgres@127.0.0.1:5432/wbl_bench        # terminal 1
    make load DATABASE_URL=postgres://postgres@127.0.0.1:5432/wbl_bench         # terminal 2

The mix, by simulated people (weights are how many of each):
- district staff browse goal sets and edit goals of a Draft set through htmx (open the inline
  form, save it), and now and then check that a second save with a stale version still gets
  the conflict message (409) under load;
- WBL coordinators open the dashboard of their school's set and log values through htmx;
- board members open the district overview and a dashboard, and download board packets
  (PDFs are reported apart from pages);
- anonymous visitors read the public goals page;
- everyone requests /healthz/ now and then: a trivial Django view, the baseline.

Bounded: loopback hosts only, at most MAX_USERS users, a run time is required, and the run
stops after MAX_REQUESTS requests. At the end it prints throughput, median and p95 per request
type, errors, the budget verdict (pages and fragments p95 < 300 ms, zero errors), and checks
that every progress value it posted was written (count in the database = count posted).
"""

import os
import random
import re
import sys
import uuid
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

DISTRICT = os.environ.get("LOAD_DISTRICT", "scale")
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
MAX_USERS = int(os.environ.get("LOAD_MAX_USERS", "50"))
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "30000"))
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
BUDGET_P95_MS = 300
RUN_ID = uuid.uuid4().hex[:8]
CONFLICT_TEXT = "Someone else saved this while you were editing"
DRAFT_TITLE = "Load test: draft goals"
LOGGING_TITLE = "Load test: school goals in Monitor"

posted = {"progress": 0}
requests_seen = {"n": 0}
state = {"environment": None}


def email(role):
    return f"load-{role}@{DISTRICT}.seed.wbl"


# -- bounds --------------------------------------------------------------------------------


@events.init.add_listener
def check_bounds(environment, **kwargs):
    state["environment"] = environment
    options = environment.parsed_options
    host = urlsplit(environment.host or "").hostname
    problems = []
    if host not in LOOPBACK:
        problems.append(f"host {environment.host!r} is not loopback ({', '.join(LOOPBACK)})")
    if options is not None:
        if options.num_users and options.num_users > MAX_USERS:
            problems.append(f"{options.num_users} users is over the bound of {MAX_USERS}")
        if not options.run_time:
            problems.append("a run time is required (--run-time, e.g. 3m)")
        if not options.headless:
            problems.append("run headless (--headless)")
    if not PASSWORD:
        problems.append("LOAD_PASSWORD is not set (the password given to prepare_load)")
    if problems:
        sys.exit("load script refused: " + "; ".join(problems))


@events.request.add_listener
def count_requests(**kwargs):
    requests_seen["n"] += 1
    if requests_seen["n"] == MAX_REQUESTS:
        print(f"Request bound reached ({MAX_REQUESTS}): stopping.", file=sys.stderr)
        environment = state["environment"]
        if environment is not None and environment.runner is not None:
            environment.runner.quit()


# -- helpers -------------------------------------------------------------------------------


class FormReader(HTMLParser):
    """The fields of the first <form> in an htmx fragment, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.data, self.in_form, self.done = {}, False, False
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done:
            self.in_form = True
        if not self.in_form:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.setdefault(name, a.get("value", "on"))
            else:
                self.data[name] = a.get("value", "")
        elif tag == "select" and name:
            self.select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self.select and "selected" in a:
            self.data[self.select] = a.get("value", "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = ""

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form" and self.in_form:
            self.in_form, self.done = False, True


def form_data(html):
    reader = FormReader()
    reader.feed(html)
    return reader.data


def links(html, pattern):
    return sorted(set(re.findall(pattern, html)))


class Member(HttpUser):
    abstract = True
    wait_time = between(2, 8)  # a person reads a page for a few seconds before the next step
    role = ""

    def on_start(self):
        self.client.get("/accounts/login/", name="login page")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            "/accounts/login/",
            {"username": email(self.role), "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="sign-in: password check",
            catch_response=True,
        ) as response:
            if "/accounts/login/" in response.url:
                response.failure(f"sign-in failed for {email(self.role)}")
        self.base = f"/d/{DISTRICT}"
        sets = self.client.get(f"{self.base}/", name="goal set list").text
        self.sets = {
            title: int(pk)
            for pk, title in re.findall(r'href="/d/[\w-]+/sets/(\d+)/"[^>]*>([^<]+)</a>', sets)
        }

    def htmx(self):
        return {
            "HX-Request": "true",
            "X-CSRFToken": self.client.cookies.get("csrftoken", ""),
            "HX-Current-URL": f"{self.host}{self.base}/",
        }

    @task(1)
    def baseline(self):
        self.client.get("/healthz/", name="baseline: trivial view (/healthz/)")


# -- people --------------------------------------------------------------------------------


class Staff(Member):
    weight = 15
    role = "staff"

    def on_start(self):
        super().on_start()
        self.draft = self.sets[DRAFT_TITLE]
        page = self.client.get(f"{self.base}/sets/{self.draft}/", name="goal set page").text
        self.goals = [int(pk) for pk in links(page, r"/d/[\w-]+/goals/(\d+)/edit/")]

    @task(4)
    def browse(self):
        self.client.get(f"{self.base}/", name="goal set list")
        pk = random.choice(list(self.sets.values()))
        self.client.get(f"{self.base}/sets/{pk}/", name="goal set page")

    @task(4)
    def edit_goal(self):
        goal = random.choice(self.goals)
        url = f"{self.base}/goals/{goal}/edit/"
        form = self.client.get(url, headers=self.htmx(), name="htmx: goal edit form").text
        data = form_data(form)
        data["statement"] = f"Load goal {goal}: more students reach a WBL milestone ({RUN_ID})"
        self.save(url, data)

    def save(self, url, data):
        with self.client.post(
            url, data, headers=self.htmx(), name="htmx: save goal", catch_response=True
        ) as response:
            # Two staff may save the same goal at once: the 409 with the conflict message is
            # the app doing its job, not an error.
            if response.status_code == 409 and CONFLICT_TEXT in response.text:
                response.success()

    @task(1)
    def stale_save_gets_the_conflict_message(self):
        goal = random.choice(self.goals)
        url = f"{self.base}/goals/{goal}/edit/"
        form = self.client.get(url, headers=self.htmx(), name="htmx: goal edit form")
        data = form_data(form.text)
        data["statement"] = f"Load goal {goal}: more students reach a WBL milestone"
        self.save(url, data)
        with self.client.post(
            url,
            data,
            headers=self.htmx(),
            name="htmx: stale save (expects 409)",
            catch_response=True,
        ) as response:
            if response.status_code == 409 and CONFLICT_TEXT in response.text:
                response.success()
            else:
                response.failure(f"stale save answered {response.status_code}, no conflict")


class Coordinator(Member):
    weight = 15
    role = "coordinator"

    def on_start(self):
        super().on_start()
        self.logged_set = self.sets[LOGGING_TITLE]
        page = self.dashboard()
        self.indicators = [
            int(pk) for pk in links(page, r"/d/[\w-]+/indicators/(\d+)/progress/new/")
        ]

    def dashboard(self):
        url = f"{self.base}/sets/{self.logged_set}/progress/"
        return self.client.get(url, name="dashboard").text

    @task(3)
    def look(self):
        self.dashboard()

    @task(3)
    def log_value(self):
        indicator = random.choice(self.indicators)
        url = f"{self.base}/indicators/{indicator}/progress/new/"
        self.client.get(url, headers=self.htmx(), name="htmx: progress form")
        # Yesterday by this machine's clock: never in the future in the district's time zone
        # (the form refuses that), whatever the hour in UTC.
        as_of = date.today() - timedelta(days=1)
        data = {
            "value": f"{random.uniform(20, 60):.1f}",
            "as_of": as_of.isoformat(),
            "note": f"load {RUN_ID}",
            "evidence_url": "",
        }
        with self.client.post(
            url, data, headers=self.htmx(), name="htmx: log a value", catch_response=True
        ) as response:
            # The card's own confirmation, not just any "Logged" (its chart has "Logged values").
            confirmed = re.search(
                rf'role="status">Logged [\d.]+ as of {as_of:%b} {as_of.day}, {as_of.year}\.<',
                response.text,
            )
            if response.status_code == 200 and confirmed:
                posted["progress"] += 1
            else:
                response.failure(f"logging answered {response.status_code} without confirming")


class Board(Member):
    weight = 10
    role = "board"

    @task(6)
    def overview(self):
        self.client.get(f"{self.base}/progress/", name="district overview")

    @task(6)
    def dashboard(self):
        pk = random.choice(list(self.sets.values()))
        self.client.get(f"{self.base}/sets/{pk}/progress/", name="dashboard")

    @task(1)
    def packet(self):
        # Board members read the packets of ordinary sets (50 goals), not the 200-goal giant.
        ordinary = [pk for title, pk in self.sets.items() if title.startswith("Scale goal set")]
        pk = random.choice(ordinary[1:] or ordinary)
        self.client.get(f"{self.base}/sets/{pk}/packet.pdf", name="PDF: board packet")


class Visitor(HttpUser):
    weight = 10
    wait_time = between(2, 8)  # a person reads a page for a few seconds before the next step

    @task(5)
    def public_page(self):
        self.client.get(f"/p/{DISTRICT}/", name="public goals page")

    @task(1)
    def baseline(self):
        self.client.get("/healthz/", name="baseline: trivial view (/healthz/)")


# -- the report ----------------------------------------------------------------------------


def _written():
    """Progress entries this run wrote, counted in the database the server uses."""
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wbl.settings")
    import django

    django.setup()
    from cycle.models import ProgressEntry

    return ProgressEntry.objects.filter(note=f"load {RUN_ID}").count()


@events.quitting.add_listener
def report(environment, **kwargs):
    stats = environment.stats
    rows, pages_ok, errors = [], True, stats.total.num_failures
    for (name, _method), entry in sorted(stats.entries.items()):
        p95 = entry.get_response_time_percentile(0.95)
        # Apart from the budget: PDFs (the issue reports them separately), the baseline, and the
        # password check, slow on purpose (PBKDF2, 1,000,000 iterations in Django 5.2).
        apart = name.startswith(("PDF", "baseline", "sign-in"))
        within = "—" if apart else ("yes" if p95 < BUDGET_P95_MS else "NO")
        if within == "NO":
            pages_ok = False
        rows.append(
            f"| {name} | {entry.num_requests} | {entry.num_failures} | "
            f"{entry.median_response_time:.0f} | {p95:.0f} | {entry.total_rps:.1f} | {within} |"
        )
    total = stats.total
    print()
    print(
        f"Load run {RUN_ID}: {environment.runner.user_count if environment.runner else '?'} "
        f"users at the end, {total.num_requests} requests, {total.total_rps:.1f} requests/s, "
        f"{errors} errors"
    )
    print("| request | count | errors | median ms | p95 ms | req/s | p95 < 300 ms |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    try:
        written = _written()
    except Exception as error:  # the report must still print
        written = f"unknown ({error})"
    print(f"Progress values posted and confirmed: {posted['progress']}; written: {written}")
    lost = written != posted["progress"]
    verdict = "within" if pages_ok and errors == 0 and not lost else "NOT within"
    print(
        f"Budget (pages and fragments p95 < {BUDGET_P95_MS} ms, zero errors, nothing lost): "
        f"{verdict}"
    )
    if verdict != "within":
        environment.process_exit_code = 1
