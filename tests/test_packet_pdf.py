"""The board packet PDF, read back with pypdf: its content, its tagging and page size, the
hostile-URL cases (nothing fetched, nothing attached), 100 goals, and its query count."""

import datetime
import io
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader
from weasyprint import HTML

from cycle.models import BoardAdoption
from cycle.packet import packet_context, render_packet
from cycle.pdf import ORIGIN, StaticOnlyFetcher
from goals.models import Goal, GoalSet, Stage
from tests.factories import GoalFactory, GoalSetFactory, IndicatorFactory
from tests.factories_approval import make_feedback, make_link


def packet_url(goal_set):
    return reverse("cycle:packet", args=[goal_set.district.slug, goal_set.pk])


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def squeeze(text: str) -> str:
    """Text without whitespace: PDF text extraction breaks long lines where it likes."""
    return re.sub(r"\s+", "", text)


def embedded_files(reader: PdfReader) -> list:
    names = reader.trailer["/Root"].get("/Names")
    found = []
    if names is not None and "/EmbeddedFiles" in names.get_object():
        found.append("/EmbeddedFiles")
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            if annot.get_object().get("/Subtype") == "/FileAttachment":
                found.append("/FileAttachment")
    return found


def test_board_member_downloads_the_packet(world, login):
    make_feedback(world.goal_set, group="students", body="Paid internships matter most.")
    make_feedback(world.goal_set, group="students", body="Start in grade 10.", goal=world.goal)
    make_feedback(world.goal_set, group="parents", body="Transportation is a barrier.")
    world.goal.responsible_roles = "Site WBL coordinators"
    world.goal.save()
    world.goal.responsible_partners.add(world.partner)
    world.district_a.mission = "Midtown connects every student to the working world."
    world.district_a.graduate_profile = "Graduates communicate, collaborate and plan."
    world.district_a.save()

    response = login(world.board).get(packet_url(world.goal_set))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="board-packet-midtown')
    reader = read(response.content)
    text = text_of(reader)
    for expected in [
        "Midtown District",
        "Board packet · version 1",
        "Contents",
        "Every student graduates ready for college and career.",  # vision
        "Midtown connects every student to the working world.",
        "Graduates communicate, collaborate and plan.",
        "Goal 1. Seniors complete internships",
        "Seniors completing internships",
        "20.00 in 2017",
        "50.00",
        "June 30, 2020",
        "Sam Staff",
        "Site WBL coordinators",
        "Acme Engineering",
        "Stakeholder feedback",
        "Students (2)",
        "Parents and families (1)",
        "Paid internships matter most.",
        "Transportation is a barrier.",
        "Not yet scheduled",
    ]:
        assert expected in text, expected

    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    assert reader.metadata.title == "Board packet: Midtown WBL expansion, version 1"
    for page in reader.pages:
        assert [float(v) for v in page.mediabox] == [0, 0, 612, 792]
    assert "Page 1 of" in reader.pages[0].extract_text()


def test_table_of_contents_gives_page_numbers(world):
    reader = read(render_packet(world.goal_set))
    contents = reader.pages[1].extract_text()
    assert "Contents" in contents
    goals_line = next(line for line in contents.splitlines() if "Goals, indicators" in line)
    page_number = int(goals_line.rstrip(". ").split()[-1])
    assert (
        "Goals, indicators and responsible parties" in reader.pages[page_number - 1].extract_text()
    )


def test_cover_shows_the_latest_board_meeting(world):
    for day, outcome in [(3, "tabled"), (17, "adopted")]:
        BoardAdoption.objects.create(
            goal_set=world.goal_set,
            meeting_date=datetime.date(2017, 10, day),
            outcome=outcome,
            votes_for=5,
            agenda_item="7.2",
            recorded_by=world.staff,
        )
    cover = read(render_packet(world.goal_set)).pages[0].extract_text()
    assert "October 17, 2017" in cover and "agenda item 7.2" in cover
    assert "October 3, 2017" not in cover


def _version_two(world):
    """Version 1 (the world's set, adopted) and version 2 in Draft: one goal carried forward
    with a new target, one goal added, one removed."""
    v1 = world.goal_set
    retired = GoalFactory(goal_set=v1, statement="Print a WBL brochure for every family")
    IndicatorFactory(goal=retired, name="Brochures printed")
    GoalSet.objects.filter(pk=v1.pk).update(stage=Stage.REVISE)
    v2 = GoalSetFactory(
        district=world.district_a,
        title=v1.title,
        version=2,
        previous_version=v1,
        stem=v1.stem,
    )
    carried = GoalFactory(
        goal_set=v2, statement=world.goal.statement, carried_from=world.goal, owner=world.staff
    )
    IndicatorFactory(
        goal=carried,
        name=world.indicator.name,
        carried_from=world.indicator,
        baseline_value=35,
        baseline_year=2020,
        target_value=60,
        target_date=datetime.date(2023, 6, 30),
        revision_note="Two new hospital partners doubled the internship places.",
    )
    added = GoalFactory(goal_set=v2, statement="Every academy hosts job shadow days", order=9)
    IndicatorFactory(goal=added, name="Academies hosting job shadows", target_value=4)
    return v2


def test_version_two_lists_every_change_with_its_reason(world, login):
    v2 = _version_two(world)
    reader = read(login(world.staff).get(packet_url(v2)).content)
    text = text_of(reader)
    flat = squeeze(text)
    assert "Board packet · version 2" in text
    assert "Changes from version 1" in text
    assert squeeze("Added goal Every academy hosts job shadow days") in flat
    assert squeeze("Removed goal Print a WBL brochure for every family") in flat
    assert squeeze("Changed goal Seniors complete internships") in flat
    assert squeeze("Target 50.00 60.00") in flat
    assert squeeze("Baseline 20.00 35.00") in flat
    assert squeeze("Target date 2020-06-30 2023-06-30") in flat or "2023" in text
    assert squeeze("Reason given: Two new hospital partners doubled the internship places.") in flat


def test_a_first_version_has_no_change_section(world):
    assert packet_context(world.goal_set)["versions"] is None
    assert "Changes from version" not in text_of(read(render_packet(world.goal_set)))


# -- hostile content ---------------------------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    requests: list = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def local_server():
    """A real HTTP server on loopback that records every request it receives."""

    class Handler(_Recorder):
        requests = []

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], Handler.requests
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _hostile(port):
    return [
        '<img src="file:///etc/passwd">',
        '<link rel="attachment" href="file:///etc/hostname">',
        f'<img src="http://127.0.0.1:{port}/x.png">',
    ]


def test_hostile_goal_text_shows_as_text_and_fetches_nothing(world, login, local_server):
    port, requests = local_server
    statements = _hostile(port)
    others = [GoalFactory(goal_set=world.goal_set) for _ in statements[1:]]
    for goal, statement in zip([world.goal, *others], statements, strict=True):
        # Straight to the database, past the no_markup validator.
        Goal.objects.filter(pk=goal.pk).update(statement=statement)
    world.goal.indicators.update(name='<img src="file:///etc/passwd">')
    make_feedback(world.goal_set, body="<link rel=attachment href=file:///etc/hostname>")

    fetcher = StaticOnlyFetcher()
    pdf = render_packet(world.goal_set, fetcher=fetcher)
    via_view = login(world.board).get(packet_url(world.goal_set))
    assert via_view.status_code == 200

    for reader in (read(pdf), read(via_view.content)):
        flat = squeeze(text_of(reader))
        for statement in statements:
            assert squeeze(statement) in flat, statement
        assert embedded_files(reader) == []
    assert requests == [], "the PDF renderer made a request"
    # The text never became markup, so nothing was even asked for but our stylesheet.
    assert fetcher.refused == []
    assert fetcher.served and all(u.startswith(f"{ORIGIN}/static/") for u in fetcher.served)


def test_the_fetcher_refuses_real_markup_too(local_server):
    """Defence in depth: even markup that reached the renderer unescaped fetches nothing."""
    port, requests = local_server
    html = f"""<!doctype html><html lang="en"><head><title>t</title>
      <link rel="attachment" href="file:///etc/hostname" title="hostname">
      <link rel="stylesheet" href="http://127.0.0.1:{port}/style.css"></head><body>
      <p>Text</p><img src="file:///etc/passwd" alt="">
      <img src="http://127.0.0.1:{port}/x.png" alt="">
      <a rel="attachment" href="file:///etc/hostname">attached</a>
      <img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E" alt="">
    </body></html>"""
    fetcher = StaticOnlyFetcher()
    pdf = HTML(string=html, base_url=ORIGIN + "/", url_fetcher=fetcher).write_pdf(
        pdf_variant="pdf/ua-1"
    )
    reader = read(pdf)
    assert embedded_files(reader) == []
    assert requests == []
    assert fetcher.served == []
    refused = " ".join(fetcher.refused)
    assert "file:///etc/passwd" in refused
    assert f"http://127.0.0.1:{port}/x.png" in refused
    assert "data:image/svg+xml" in refused
    assert "/etc/hostname" not in text_of(reader)


# -- size and query count -----------------------------------------------------------------------


def test_a_packet_of_100_goals_renders(world):
    link = make_link(world.goal_set, by=world.staff)
    for n in range(2, 101):
        goal = GoalFactory(goal_set=world.goal_set, statement=f"Goal number {n} is measurable")
        IndicatorFactory(goal=goal, name=f"Indicator of goal {n}", target_value=n)
        make_feedback(world.goal_set, group="partners", body=f"Comment {n}", link=link)
    reader = read(render_packet(world.goal_set))
    text = text_of(reader)
    assert "Goal 100. Goal number 100 is measurable" in text
    assert "Indicator of goal 100" in text
    assert "Partners (99)" in text
    assert len(reader.pages) > 10


def _grow(world, size):
    link = make_link(world.goal_set, by=world.staff)
    for _ in range(size):
        goal = GoalFactory(goal_set=world.goal_set, owner=world.staff)
        goal.responsible_partners.add(world.partner)
        IndicatorFactory(goal=goal)
        IndicatorFactory(goal=goal)
        make_feedback(world.goal_set, group="students", goal=goal, author=world.viewer)
        make_feedback(world.goal_set, group="parents", link=link)
        BoardAdoption.objects.create(
            goal_set=world.goal_set,
            meeting_date=datetime.date(2017, 10, 1),
            outcome="tabled",
            recorded_by=world.staff,
        )


@pytest.mark.parametrize("size", [2, 25])
def test_packet_query_count_does_not_grow(world, login, size):
    _grow(world, size)
    client = login(world.board)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(packet_url(world.goal_set))
    assert response.status_code == 200
    # session, user, membership, goal set; goals, indicators, partners; feedback; adoption.
    assert len(ctx.captured_queries) == 9


@pytest.mark.parametrize("size", [2, 25])
def test_version_two_packet_query_count_does_not_grow(world, login, size):
    _grow(world, size)
    v2 = _version_two(world)
    for _ in range(size):
        IndicatorFactory(goal=GoalFactory(goal_set=v2))
    client = login(world.board)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(packet_url(v2))
    assert response.status_code == 200
    assert len(ctx.captured_queries) == 15


def test_benchmark_command_runs_and_keeps_nothing(db):
    out = io.StringIO()
    call_command("bench_packet", goals=2, repeat=1, inline=True, stdout=out)
    text = out.getvalue()
    assert "Board packet benchmark: 2 goals" in text
    assert "WeasyPrint alone, same HTML string" in text
    assert "Ratio packet / WeasyPrint alone" in text
    assert not GoalSet.objects.exists()
    with pytest.raises(CommandError):
        call_command("bench_packet", goals=0, stdout=out)
