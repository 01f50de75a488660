"""The public goals page and its summary PDF: no login, adopted content only (the latest
adopted version of each set), nothing from drafts, feedback, comments, members or students."""

import datetime
import re
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cycle import services
from cycle.models import Comment, Feedback, GoalOutcome, StakeholderGroup, Student, TeamMember
from cycle.public import figure, public_district, published_goal_sets
from goals.models import GoalSet, Indicator, Stage
from tests.factories import GoalFactory, GoalSetFactory, IndicatorFactory
from tests.factories_communication import adopt, advance
from wbl.history import save_with_history

DRAFT_GOAL = "Secret draft goal about robotics apprenticeships"
FEEDBACK = "Feedback text that must stay private"
COMMENT = "Internal comment that must stay private"
TEAM = "Tina Teammember"
STUDENT = "Stella Student"


def page_url(slug="midtown"):
    return reverse("public:district", args=[slug])


def pdf_url(slug="midtown"):
    return reverse("public:summary_pdf", args=[slug])


@pytest.fixture
def published(world):
    """District A with the world's set adopted (goal owned by Sam Staff, indicator 20 -> 50
    percent by June 30, 2020), a draft set, and private records around them."""
    district = world.district_a
    district.mission = "Connect every student to the working world."
    district.graduate_profile = "Graduates solve problems with others."
    district.save()
    goal_set = adopt(world.goal_set, by=world.admin)
    draft = GoalSetFactory(district=district, title="Draft pathway goals")
    draft_goal = GoalFactory(goal_set=draft, statement=DRAFT_GOAL, owner=world.admin)
    IndicatorFactory(goal=draft_goal, name="Draft indicator name", target_value=77)
    Feedback.objects.create(
        goal_set=goal_set, group=StakeholderGroup.PARENTS, body=FEEDBACK, author=world.viewer
    )
    Comment.objects.create(goal_set=goal_set, goal=world.goal, author=world.board, body=COMMENT)
    TeamMember.objects.create(goal_set=goal_set, name=TEAM, affiliation="employer")
    Student.objects.create(
        district=district, local_id="S-1", display_name=STUDENT, graduation_year=2020
    )
    return goal_set


PRIVATE = [
    DRAFT_GOAL,
    "Draft pathway goals",
    "Draft indicator name",
    FEEDBACK,
    COMMENT,
    TEAM,
    STUDENT,
    "Sam Staff",
    "Alice Admin",
    "Bo Board",
    "Vic Viewer",
    "Cora Coordinator",
    "@example.org",
    "Central WBL system",  # another district's set
]


# -- what is public: cycle.public, tested directly -----------------------------------------


def test_only_adopted_stages_are_published(world):
    sets = {
        stage: GoalSetFactory(district=world.district_a, title=f"Set in {stage}", stage=stage)
        for stage in Stage.values
    }
    shown = set(published_goal_sets(world.district_a).values_list("stage", flat=True))
    assert shown == {Stage.COMMUNICATE, Stage.IMPLEMENT, Stage.MONITOR, Stage.REVISE}
    assert sets[Stage.DRAFT] not in published_goal_sets(world.district_a)
    assert not published_goal_sets(world.district_b).filter(district=world.district_a).exists()


def test_a_draft_version_2_leaves_version_1_on_the_page(world):
    v1 = GoalSetFactory(district=world.district_a, title="Lineage", stage=Stage.REVISE)
    GoalFactory(goal_set=v1, statement="Adopted wording of version 1")
    v2 = GoalSetFactory(district=world.district_a, title="Lineage", version=2, previous_version=v1)
    GoalFactory(goal_set=v2, statement="Draft wording of version 2")
    for stage in (Stage.DRAFT, Stage.APPROVE):
        GoalSet.objects.filter(pk=v2.pk).update(stage=stage)
        assert list(published_goal_sets(world.district_a)) == [v1]
        statements = [g.statement for s in public_district("midtown").goal_sets for g in s.goals]
        assert statements == ["Adopted wording of version 1"]
    # Once the board adopts version 2, it replaces version 1.
    GoalSet.objects.filter(pk=v2.pk).update(stage=Stage.COMMUNICATE)
    assert list(published_goal_sets(world.district_a)) == [v2]
    statements = [g.statement for s in public_district("midtown").goal_sets for g in s.goals]
    assert statements == ["Draft wording of version 2"]


def test_a_new_version_started_through_the_services_keeps_version_1_public(world):
    goal_set = advance(world.goal_set, Stage.REVISE, by=world.staff)
    outcome = GoalOutcome(goal=world.goal, outcome=GoalOutcome.Outcome.CARRIED_FORWARD)
    save_with_history(outcome, by=world.staff)
    v2 = services.start_new_version(goal_set, by=world.staff)
    new_goal = v2.goals.get()
    new_goal.statement = "Reworded for version 2"
    save_with_history(new_goal, by=world.staff)
    public = public_district("midtown")
    assert [(s.title, s.version) for s in public.goal_sets] == [("Midtown WBL expansion", 1)]
    assert [g.statement for g in public.goal_sets[0].goals] == ["Seniors complete internships"]


def test_public_data_holds_only_public_values(world, published):
    public = public_district("midtown")
    assert (public.name, public.slug) == ("Midtown District", "midtown")
    assert public.mission == "Connect every student to the working world."
    [goal_set] = public.goal_sets
    assert goal_set.title == "Midtown WBL expansion"
    assert goal_set.adopted_on == datetime.date(2018, 6, 12)
    assert goal_set.adopted_by == "Board of Trustees"
    [goal] = goal_set.goals
    assert (goal.number, goal.statement) == (1, "Seniors complete internships")
    [indicator] = goal.indicators
    assert (indicator.name, indicator.baseline, indicator.target) == (
        "Seniors completing internships",
        "20%",
        "50%",
    )
    assert indicator.target_date == datetime.date(2020, 6, 30)
    # Nothing that could reach members, feedback or drafts: plain values only.
    for obj in (public, goal_set, goal, indicator):
        for value in vars(obj).values():
            assert isinstance(value, str | int | tuple | datetime.date | type(None)), value
    assert repr(public).count("Sam Staff") == 0


@pytest.mark.parametrize(
    "value, unit, text",
    [
        ("20", Indicator.Unit.PERCENT, "20%"),
        ("12.50", Indicator.Unit.PERCENT, "12.5%"),
        ("1500", Indicator.Unit.COUNT, "1,500"),
        ("120", Indicator.Unit.HOURS, "120 hours"),
        ("1", Indicator.Unit.MILESTONE, "Done"),
        ("0", Indicator.Unit.MILESTONE, "Not yet"),
        (None, Indicator.Unit.COUNT, "—"),
    ],
)
def test_figures_read_as_people_write_them(value, unit, text):
    from decimal import Decimal

    assert figure(None if value is None else Decimal(value), unit) == text


# -- the page ------------------------------------------------------------------------------


def test_anonymous_visitor_sees_adopted_goals_and_targets(world, published, client):
    response = client.get(page_url())
    text = response.content.decode()
    assert response.status_code == 200
    for public in [
        "Midtown District",
        "Every student graduates ready for college and career.",  # vision
        "Connect every student to the working world.",
        "Graduates solve problems with others.",
        "Midtown WBL expansion",
        "By 2020, the district will expand its WBL system to ensure that:",
        "Seniors complete internships",
        "Seniors completing internships",
        "20%",
        "50%",
        "June 30, 2020",
        "adopted by the Board of Trustees on",
        reverse("public:summary_pdf", args=["midtown"]),
    ]:
        assert public in text, public
    for private in PRIVATE:
        assert private not in text, private


def test_a_district_without_adopted_sets_says_so(world, client):
    text = client.get(page_url("central")).content.decode()
    assert "has not published adopted goals yet" in text
    assert "Central WBL system" not in text


def test_unknown_slug_is_404(world, client):
    assert client.get(page_url("nowhere")).status_code == 404
    assert client.get(pdf_url("nowhere")).status_code == 404


def test_goal_text_is_escaped(world, published, client):
    world.goal.statement = 'Seniors <img src="file:///etc/passwd"> complete internships'
    world.goal.save()
    text = client.get(page_url()).content.decode()
    assert '<img src="file' not in text
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in text


def test_wrong_method_is_refused(world, client):
    assert client.post(page_url()).status_code == 405
    assert client.post(pdf_url()).status_code == 405


def _grow(world, size):
    for n in range(size):
        goal_set = GoalSetFactory(
            district=world.district_a, title=f"Adopted set {n}", stage=Stage.MONITOR
        )
        for _ in range(2):
            goal = GoalFactory(goal_set=goal_set)
            IndicatorFactory(goal=goal)
            IndicatorFactory(goal=goal, unit="count", target_value=3)
        draft = GoalSetFactory(district=world.district_a, title=f"Draft set {n}")
        GoalFactory(goal_set=draft)


# The district with the mark of the page's data; then, when the page has to be rendered
# again, the district, its published sets (with school and pathway), goals, indicators and
# adoptions.
PAGE_BUDGET = 6
CACHED_PAGE_BUDGET = 1
PDF_BUDGET = PAGE_BUDGET - 1  # the PDF is not cached: no mark


@pytest.mark.parametrize("size", [3, 30])
def test_page_query_count_does_not_grow_with_data(world, published, client, size):
    _grow(world, size)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(page_url())
    assert response.status_code == 200
    assert len(ctx.captured_queries) == PAGE_BUDGET
    assert response.content.decode().count('class="public-set"') == size + 1
    with CaptureQueriesContext(connection) as again:
        cached = client.get(page_url())
    assert len(again.captured_queries) == CACHED_PAGE_BUDGET
    # The same goals (the page around them differs: the CSRF token is masked afresh).
    part = response.content.decode().split('<h2 id="goals-heading">')[1]
    assert cached.content.decode().split('<h2 id="goals-heading">')[1] == part


def test_the_page_shows_a_change_at_once_although_it_is_cached(world, published, client):
    goal = published.goals.first()
    assert goal.statement in client.get(page_url()).content.decode()
    world.district_a.vision = "Every student graduates with a plan"
    save_with_history(world.district_a, by=world.admin)
    assert "Every student graduates with a plan" in client.get(page_url()).content.decode()
    # A new version adopted: the page shows it in place of the old one at once.
    revising = advance(published, Stage.REVISE, by=world.staff)
    outcome = GoalOutcome(goal=goal, outcome=GoalOutcome.Outcome.CARRIED_FORWARD)
    save_with_history(outcome, by=world.staff)
    version_2 = services.start_new_version(revising, by=world.staff)
    new_goal = version_2.goals.get(carried_from=goal)
    new_goal.statement = "Every senior completes a paid internship"
    new_goal.row_version += 1
    save_with_history(new_goal, by=world.staff)
    assert "paid internship" not in client.get(page_url()).content.decode()  # still a draft
    adopt(version_2, by=world.admin)
    page = client.get(page_url()).content.decode()
    assert "Every senior completes a paid internship" in page


def test_editing_a_draft_keeps_the_cached_page(world, published, client):
    draft = GoalSetFactory(district=world.district_a, title="Next year's draft")
    goal = GoalFactory(goal_set=draft)
    client.get(page_url())
    goal.statement = "A draft goal"
    goal.row_version += 1
    save_with_history(goal, by=world.staff)
    with CaptureQueriesContext(connection) as ctx:
        client.get(page_url())
    assert len(ctx.captured_queries) == CACHED_PAGE_BUDGET


# -- the PDF -------------------------------------------------------------------------------


def test_summary_pdf_is_tagged_letter_with_goals_and_targets(world, published, client):
    response = client.get(pdf_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="midtown-wbl-goals.pdf"' in response["Content-Disposition"]
    reader = PdfReader(BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    for public in [
        "Midtown District",
        "Connect every student to the working world.",
        "Midtown WBL expansion",
        "Seniors complete internships",
        "Seniors completing internships",
        "20%",
        "50%",
        "June 30, 2020",
    ]:
        assert public in flat, public
    for private in PRIVATE:
        assert private not in flat, private
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]) == "en"
    assert reader.metadata.title == "Midtown District: work-based learning goals"
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)


def test_summary_pdf_is_dated_by_the_districts_clock(world, published, client, monkeypatch):
    night = datetime.datetime(2026, 12, 4, 5, 30, tzinfo=datetime.UTC)  # Dec 3 in Los Angeles
    monkeypatch.setattr(timezone, "now", lambda: night)

    def dated():
        reader = PdfReader(BytesIO(client.get(pdf_url()).content))
        flat = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
        return re.search(r"as of (\w+ \d+, \d{4})", flat).group(1)

    assert dated() == "December 3, 2026"
    world.district_a.refresh_from_db()
    world.district_a.time_zone = "America/New_York"
    save_with_history(world.district_a, by=world.admin)
    assert dated() == "December 4, 2026"


def test_summary_pdf_query_count_does_not_grow_with_data(world, published, client):
    counts = []
    for more in (2, 10):  # 3, then 13 adopted sets
        _grow(world, more)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(pdf_url()).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts == [PDF_BUDGET, PDF_BUDGET]
