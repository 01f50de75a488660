"""Limits that keep one request from stalling or exhausting a worker: PDFs render in a child
process with a time and a memory limit (and the person gets a page that says what to do);
goal and indicator text and CSV uploads have size limits that are said at the field."""

import io
import logging
import os
import signal
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import (
    MemoryFileUploadHandler,
    TemporaryFileUploadHandler,
)
from django.http.multipartparser import MultiPartParser
from django.test import RequestFactory, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from pypdf import PdfReader

from cycle import csv_io, pdf
from cycle.models.inventory import ImportUpload
from cycle.pdf import PdfLimitExceeded, PdfRenderError, StaticOnlyFetcher, write_pdf_limited
from cycle.uploads import OversizeUpload, SizeLimitedUploadHandler
from goals.models import Goal, GoalSet, Indicator
from tests.factories import GoalFactory, GoalSetFactory, IndicatorFactory
from tests.factories_communication import adopt

SMALL_HTML = '<html lang="en"><title>Small</title><p>A small document.</p></html>'
# Tens of MB to lay out: more than the free memory the worker happens to hold (which the child
# may reuse without asking for more address space).
LARGE_HTML = SMALL_HTML.replace("<p>", "<p>A large document.</p><p>" * 3000)
# Hundreds of MB: more than a test process holds free after the browser tests have run.
HUGE_HTML = SMALL_HTML.replace("<p>", "<p>A huge document.</p><p>" * 60000)


def read(content: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(content))


def text_of(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in read(content).pages).split())


def children() -> list[int]:
    """Processes whose parent is this one (none should outlive a render). Compare with the
    list before the render: other tests may leave a helper running (the browser tests'
    Playwright driver)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            found.append(int(stat.parent.name))
    return found


def grow(goal_set, goals: int):
    """Make the set large: `goals` more goals with two indicators each."""
    for n in range(goals):
        goal = GoalFactory(goal_set=goal_set, statement=f"Goal {n}: seniors complete internships")
        IndicatorFactory(goal=goal, name=f"Seniors completing internships, group {n}")
        IndicatorFactory(goal=goal, name=f"Employers hosting interns, group {n}")


def packet_url(goal_set):
    return reverse("cycle:packet", args=[goal_set.district.slug, goal_set.pk])


# -- the renderer's limits -------------------------------------------------------------------


def test_a_render_within_the_limits_returns_the_pdf_and_what_it_fetched():
    before = children()
    fetcher = StaticOnlyFetcher()
    html = SMALL_HTML.replace(
        "<title>", '<link rel="stylesheet" href="/static/css/pdf.css"><title>'
    )
    content = write_pdf_limited(html, fetcher, time_limit=30, memory_limit_mb=1024)
    assert "A small document." in text_of(content)
    assert fetcher.served == [f"{pdf.ORIGIN}/static/css/pdf.css"]
    assert children() == before


def test_time_limit_kills_the_child(monkeypatch):
    monkeypatch.setattr(pdf, "write_pdf", lambda html, fetcher: time.sleep(30))
    before = children()
    started = time.monotonic()
    with pytest.raises(PdfLimitExceeded) as caught:
        write_pdf_limited(SMALL_HTML, StaticOnlyFetcher(), time_limit=0.3, memory_limit_mb=1024)
    assert caught.value.limit == "time"
    assert time.monotonic() - started < 5
    assert children() == before


def test_memory_limit_stops_the_child():
    before = children()
    with pytest.raises(PdfLimitExceeded) as caught:
        write_pdf_limited(HUGE_HTML, StaticOnlyFetcher(), time_limit=60, memory_limit_mb=1)
    assert caught.value.limit == "memory"
    assert children() == before


def test_a_crashed_renderer_counts_as_out_of_memory(monkeypatch):
    """GLib, for one, stops the process with SIGTRAP when it cannot allocate."""

    def trap(html, fetcher):
        os.kill(os.getpid(), signal.SIGTRAP)

    monkeypatch.setattr(pdf, "write_pdf", trap)
    with pytest.raises(PdfLimitExceeded) as caught:
        write_pdf_limited(SMALL_HTML, StaticOnlyFetcher(), time_limit=30, memory_limit_mb=1024)
    assert caught.value.limit == "memory"
    assert "SIGTRAP" in caught.value.detail


def test_another_renderer_error_is_an_error_not_a_limit(monkeypatch):
    def broken(html, fetcher):
        raise ValueError("a broken stylesheet")

    monkeypatch.setattr(pdf, "write_pdf", broken)
    with pytest.raises(PdfRenderError, match="ValueError: a broken stylesheet"):
        write_pdf_limited(SMALL_HTML, StaticOnlyFetcher(), time_limit=30, memory_limit_mb=1024)


# -- what people see -------------------------------------------------------------------------


def test_a_packet_over_the_time_limit_gets_the_clear_page_and_the_worker_goes_on(
    world, login, caplog
):
    grow(world.goal_set, 40)
    small = GoalSetFactory(district=world.district_a, title="Small set")
    IndicatorFactory(goal=GoalFactory(goal_set=small, statement="One small goal"))
    client = login(world.board)
    before = children()

    with override_settings(PDF_TIME_LIMIT_SECONDS=0.5), caplog.at_level(logging.WARNING):
        response = client.get(packet_url(world.goal_set))
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "This board packet is too large to make at once" in page
    assert "“Midtown WBL expansion” was not made" in page
    assert "it would take longer than the 0.5 seconds the server allows for one PDF" in page
    assert "Split the goal set into smaller sets" in page
    set_url = reverse("goals:set_detail", args=["midtown", world.goal_set.pk])
    assert f'href="{set_url}"' in page
    assert "Try again in a few minutes" in page
    record = next(r for r in caplog.records if "PDF too large" in r.getMessage())
    assert "time limit" in record.getMessage()
    assert packet_url(world.goal_set) in record.getMessage()
    assert world.board.email in record.getMessage()
    assert children() == before

    # The same process goes on to make the next packet, with the usual limits.
    response = client.get(packet_url(small))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "One small goal" in text_of(response.content)


def test_a_progress_report_over_the_memory_limit_gets_the_clear_page(world, login):
    grow(world.goal_set, 40)
    adopt(world.goal_set, by=world.admin)
    client = login(world.staff)
    url = reverse("cycle:progress_pdf", args=["midtown", world.goal_set.pk])
    with override_settings(PDF_MEMORY_LIMIT_MB=1):
        response = client.get(url)
    assert response.status_code == 503
    page = response.content.decode()
    assert "This progress report is too large to make at once" in page
    assert "needs more memory than the server allows" in page
    dashboard = reverse("cycle:dashboard", args=["midtown", world.goal_set.pk])
    assert f'href="{dashboard}"' in page
    assert "Try again in a few minutes" not in page  # memory does not depend on the moment

    response = client.get(url)
    assert response.status_code == 200
    assert "Seniors completing internships" in text_of(response.content)


def test_the_public_summary_over_a_limit_points_to_the_public_page(world, client):
    grow(world.goal_set, 40)
    adopt(world.goal_set, by=world.admin)
    with override_settings(PDF_MEMORY_LIMIT_MB=1):
        response = client.get(reverse("public:summary_pdf", args=["midtown"]))
    assert response.status_code == 503
    page = response.content.decode()
    assert "This summary is too large to make at once" in page
    assert f'href="{reverse("public:district", args=["midtown"])}"' in page


def test_a_normal_100_goal_packet_renders_within_the_default_limits(world, login):
    grow(world.goal_set, 99)
    response = login(world.board).get(packet_url(world.goal_set))
    assert response.status_code == 200
    text = text_of(response.content)
    assert "Goal 100. Goal 98: seniors complete internships" in text
    assert "Employers hosting interns, group 98" in text


# -- goal and indicator text -----------------------------------------------------------------


def field_html(page: str, name: str) -> str:
    start = page.index(f'name="{name}"')
    return page[page.rindex("<", 0, start) : page.index(">", start) + 1]


def test_goal_text_limits_are_said_at_the_field(world, login):
    client = login(world.staff)
    page = client.get(reverse("goals:goal_edit", args=["midtown", world.goal.pk])).content
    page = page.decode()
    statement = field_html(page, "statement")
    assert 'maxlength="1000"' in statement
    assert 'aria-describedby="id_statement_helptext"' in statement
    help_start = page.index('id="id_statement_helptext"')
    assert "stem sentence. Up to 1000 characters." in page[help_start : help_start + 200]
    assert 'maxlength="300"' in field_html(page, "responsible_roles")
    assert "Up to 300 characters." in page


def test_a_goal_statement_over_the_limit_is_refused_at_the_field(world, login):
    url = reverse("goals:goal_edit", args=["midtown", world.goal.pk])
    response = login(world.staff).post(
        url,
        {"statement": "y" * 1001, "topic_area": "capacity", "horizon": "short", "row_version": 1},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["statement"] == [
        "Keep it to at most 1000 characters: this has 1001."
    ]
    assert 'id="id_statement_error"' in response.content.decode()
    world.goal.refresh_from_db()
    assert world.goal.statement == "Seniors complete internships"


def test_line_breaks_count_once_as_the_browser_counts_them(world, login):
    """A textarea's maxlength counts a line break as one character, but the browser sends it
    as two (CR LF): a statement the browser let through is not refused for its line breaks."""
    lines = ["x" * 99] * 10
    text = "\r\n".join(lines)  # 990 + 9 line breaks: 999 as counted, 1008 as sent
    response = login(world.staff).post(
        reverse("goals:goal_edit", args=["midtown", world.goal.pk]),
        {"statement": text, "topic_area": "capacity", "horizon": "short", "row_version": 1},
    )
    assert response.status_code == 302
    assert Goal.objects.get(pk=world.goal.pk).statement == "\n".join(lines)


def test_indicator_text_limits(world, login):
    client = login(world.staff)
    url = reverse("goals:indicator_edit", args=["midtown", world.indicator.pk])
    page = client.get(url).content.decode()
    assert 'maxlength="200"' in field_html(page, "name")
    assert 'maxlength="200"' in field_html(page, "data_source")
    assert 'maxlength="1000"' in field_html(page, "milestones")
    assert "“2018: 30”. Up to 1000 characters." in page

    data = {
        "name": "n" * 201,
        "unit": "count",
        "direction": "increase",
        "collection_frequency": "yearly",
        "milestones": "2018: 30\n" * 120,
        "row_version": 1,
    }
    form = client.post(url, data).context["form"]
    assert form.errors["name"] == ["Keep it to at most 200 characters: this has 201."]
    assert form.errors["milestones"] == ["Keep it to at most 1000 characters: this has 1079."]
    assert Indicator.objects.get(pk=world.indicator.pk).name == "Seniors completing internships"


def test_goal_set_text_limits(world, login):
    page = login(world.staff).get(reverse("goals:set_create", args=["midtown"])).content.decode()
    assert 'maxlength="200"' in field_html(page, "title")
    assert 'maxlength="300"' in field_html(page, "stem")
    assert not GoalSet.objects.filter(title="x" * 201).exists()


# -- CSV uploads -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, args, persona",
    [
        ("cycle:import_students", lambda w: ["midtown"], "staff"),
        ("cycle:import_experiences", lambda w: ["midtown"], "coordinator"),
        ("cycle:import_progress", lambda w: ["midtown", w.goal_set.pk], "staff"),
    ],
)
def test_each_import_says_its_size_limit_at_the_file_field(world, login, name, args, persona):
    if name == "cycle:import_progress":
        adopt(world.goal_set, by=world.admin)
    client = login(getattr(world, persona))
    url = reverse(name, args=args(world))
    page = client.get(url).content.decode()
    file_input = field_html(page, "file")
    assert 'aria-describedby="id_file_helptext"' in file_input
    help_start = page.index('id="id_file_helptext"')
    assert "at most 10 MB" in page[help_start : page.index("</p>", help_start)]

    big = SimpleUploadedFile("big.csv", b"x" * (csv_io.MAX_BYTES + 1), "text/csv")
    response = client.post(url, {"file": big})
    assert response.status_code == 200
    page = response.content.decode()
    error_start = page.index('id="id_file_error"')
    assert "This file is 10.0 MB; the limit is 10 MB." in page[error_start : error_start + 300]
    assert not ImportUpload.objects.exists()


def test_an_upload_over_the_limit_is_not_kept_beyond_it(monkeypatch):
    monkeypatch.setattr(csv_io, "MAX_BYTES", 1000)
    body = encode_multipart(
        BOUNDARY,
        {
            "big": SimpleUploadedFile("big.csv", b"a,b\n" * 1000, "text/csv"),
            "small": SimpleUploadedFile("small.csv", b"a,b\n1,2\n", "text/csv"),
        },
    )
    meta = {"CONTENT_TYPE": MULTIPART_CONTENT, "CONTENT_LENGTH": str(len(body))}
    request = RequestFactory().get("/")
    handlers = request.upload_handlers  # from settings.FILE_UPLOAD_HANDLERS
    assert [type(h) for h in handlers] == [
        SizeLimitedUploadHandler,
        MemoryFileUploadHandler,
        TemporaryFileUploadHandler,
    ]
    _, files = MultiPartParser(meta, io.BytesIO(body), handlers).parse()
    big, small = files["big"], files["small"]
    assert isinstance(big, OversizeUpload)
    assert (big.name, big.size, big.read()) == ("big.csv", 4000, b"")
    assert small.read() == b"a,b\n1,2\n"
