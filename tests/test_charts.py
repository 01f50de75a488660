"""Server-made SVG charts: well-formed, accessible, escaped, and their text alternative."""

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from cycle.charts import figures, indicator_chart
from cycle.status import judge
from goals.models import Indicator

SVG = "{http://www.w3.org/2000/svg}"


def indicator(**fields):
    values = {
        "pk": 7,
        "name": "Seniors completing internships",
        "unit": Indicator.Unit.PERCENT,
        "direction": Indicator.Direction.INCREASE,
        "baseline_value": Decimal(20),
        "baseline_year": 2017,
        "target_value": Decimal(50),
        "target_date": date(2020, 6, 30),
        "milestones": {"2018": "30", "2019": "40"},
    }
    values.update(fields)
    return Indicator(**values)


def entry(as_of, value):
    return SimpleNamespace(as_of=as_of, value=Decimal(value))


ENTRIES = [
    entry(date(2018, 6, 15), 31),
    entry(date(2017, 12, 15), 22),
    entry(date(2019, 6, 14), 41),
]


def chart(ind, entries):
    latest = max(entries, key=lambda e: e.as_of) if entries else None
    first = min(entries, key=lambda e: e.as_of) if entries else None
    status = judge(
        ind,
        (latest.as_of, latest.value) if latest else None,
        (first.as_of, first.value) if first else None,
    )
    return indicator_chart(ind, entries, status), status


def parse(svg):
    return ET.fromstring(str(svg))


def test_chart_is_an_accessible_svg_image():
    svg, status = chart(indicator(), ENTRIES)
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "chart-7-title"
    assert root.get("aria-describedby") == "chart-7-desc"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title.get("id") == "chart-7-title"
    assert title.text == "Seniors completing internships: On track"
    assert desc.get("id") == "chart-7-desc"
    assert "Baseline 20 on Jan 1, 2017." in desc.text
    assert "Milestones: 30 by Jun 30, 2018, 40 by Jun 30, 2019." in desc.text
    assert "Target 50 by Jun 30, 2020." in desc.text
    assert "3 values logged; latest 41 on Jun 14, 2019." in desc.text
    assert "Status: On track." in desc.text
    assert status.status == "on_track"


def test_chart_draws_baseline_milestones_target_and_values():
    root = parse(chart(indicator(), ENTRIES)[0])
    polylines = root.findall(f"{SVG}polyline")
    assert len(polylines) == 2  # planned path and logged values
    planned, actual = polylines
    assert planned.get("stroke-dasharray") == "6 4"
    assert len(planned.get("points").split()) == 4  # baseline, two milestones, target
    assert len(actual.get("points").split()) == 3
    # Logged values run left to right, whatever order they came in.
    xs = [float(p.split(",")[0]) for p in actual.get("points").split()]
    assert xs == sorted(xs)
    # Markers: baseline square (plus the legend's), milestone diamonds (plus the legend's).
    assert len(root.findall(f"{SVG}rect")) == 2
    assert len(root.findall(f"{SVG}polygon")) == 3
    texts = [t.text for t in root.iter(f"{SVG}text")]
    for label in ("Logged values", "Planned path", "Target", "Baseline", "Milestone"):
        assert label in texts
    assert "2018" in texts and "2019" in texts


def test_higher_values_are_drawn_higher():
    root = parse(chart(indicator(milestones={}), ENTRIES)[0])
    actual = root.findall(f"{SVG}polyline")[1]
    ys = [float(p.split(",")[1]) for p in actual.get("points").split()]
    assert ys[0] > ys[1] > ys[2]  # 22, 31, 41: SVG's y grows downwards


def test_text_is_escaped_and_the_svg_stays_well_formed():
    name = '"><script>alert(1)</script><b x="'
    svg, _ = chart(indicator(name=name), ENTRIES)
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text.startswith(name)
    assert not list(root.iter(f"{SVG}script"))
    assert not list(root.iter("b"))


def test_chart_without_values_shows_the_plan():
    svg, status = chart(indicator(), [])
    root = parse(svg)
    assert status.label == "Not yet measured"
    assert "No values logged yet." in root.find(f"{SVG}desc").text
    assert len(root.findall(f"{SVG}polyline")) == 1  # the planned path only


def test_chart_without_target_or_values_says_so():
    svg, _ = chart(indicator(target_value=None, target_date=None, milestones={}), [])
    root = parse(svg)
    assert "No target or values to chart yet" in [t.text for t in root.iter(f"{SVG}text")]


def test_yes_no_milestone_chart_has_done_and_not_yet_and_no_slope():
    ind = indicator(
        unit=Indicator.Unit.MILESTONE,
        direction=Indicator.Direction.ACHIEVE,
        baseline_value=Decimal(0),
        target_value=Decimal(1),
        milestones={},
    )
    root = parse(chart(ind, [entry(date(2018, 6, 1), 0)])[0])
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Done" in texts and "Not yet" in texts
    assert not root.findall(f"{SVG}polyline")


def test_one_value_without_baseline_or_target_still_charts():
    ind = indicator(baseline_value=None, baseline_year=None, target_value=None, milestones={})
    root = parse(chart(ind, [entry(date(2019, 3, 1), 12)])[0])
    assert len(root.findall(f"{SVG}circle")) >= 1


def test_figures_are_the_chart_as_a_table_by_date():
    rows = figures(indicator(), ENTRIES)
    assert [(r.what, r.when, r.shown) for r in rows] == [
        ("Baseline", date(2017, 1, 1), "20%"),
        ("Logged value", date(2017, 12, 15), "22%"),
        ("Logged value", date(2018, 6, 15), "31%"),
        ("Milestone", date(2018, 6, 30), "30%"),
        ("Logged value", date(2019, 6, 14), "41%"),
        ("Milestone", date(2019, 6, 30), "40%"),
        ("Target", date(2020, 6, 30), "50%"),
    ]


def test_figures_list_only_the_latest_values_unless_asked_for_all():
    monthly = [entry(date(2017 + m // 12, m % 12 + 1, 1), 20 + m) for m in range(30)]
    logged = [r for r in figures(indicator(), monthly) if r.what == "Logged value"]
    assert len(logged) == 8
    assert logged[-1].when == date(2019, 6, 1)  # the newest are kept
    every = [r for r in figures(indicator(), monthly, latest=None) if r.what == "Logged value"]
    assert len(every) == 30
    # The line goes through every value; only the latest (the ones listed) get a dot.
    root = parse(chart(indicator(), monthly)[0])
    actual = [p for p in root.findall(f"{SVG}polyline") if p.get("stroke-width") == "2.5"]
    assert len(actual) == 1 and len(actual[0].get("points").split()) == 30
    dots = [c for c in root.findall(f"{SVG}circle") if c.get("stroke") == "#fff"]
    assert len(dots) == 8


def test_every_value_gets_a_dot_when_there_are_few():
    monthly = [entry(date(2017 + m // 12, m % 12 + 1, 1), 20 + m) for m in range(24)]
    root = parse(chart(indicator(), monthly)[0])
    assert len([c for c in root.findall(f"{SVG}circle") if c.get("stroke") == "#fff"]) == 24
