"""Progress charts as inline SVG, made on the server: one code path for pages and PDFs.

`indicator_chart()` returns an <svg role="img"> with a <title> and a <desc>; the template puts
`figures()` next to it as a small table, the chart's text alternative. Every piece of text
goes through format_html (escaped); everything else is numbers this module computed.
"""

import html
import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils.safestring import SafeString

from cycle.status import IndicatorStatus, number, planned_path, show_value
from goals.models import Indicator

WIDTH, HEIGHT = 560, 270
LEFT, RIGHT, TOP, BOTTOM = 58, 20, 16, 84  # plot margins; the legend sits below the x axis
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

ACTUAL = "#0b4f8a"
PLANNED = "#4a5360"
TARGET = "#1d6b35"
GRID = "#c9ced6"
FONT = 'font-family="DejaVu Sans, Liberation Sans, sans-serif"'


@dataclass
class Figure:
    """One row of the text alternative."""

    what: str
    when: date
    value: Decimal
    shown: str = ""


def _day(when: date) -> str:
    return f"{when:%b} {when.day}, {when.year}"


def _points(entries) -> list[tuple[date, Decimal]]:
    return sorted((e.as_of, Decimal(e.value)) for e in entries)


LATEST_FIGURES = 8
MAX_DOTS = 24


def figures(indicator: Indicator, entries, *, latest: int | None = LATEST_FIGURES) -> list[Figure]:
    """Baseline, milestones, target and logged values, by date: the chart as a table.

    Only the `latest` logged values are listed (None: all); the indicator's progress page
    lists every value. A page of 200 indicators with years of monthly values stays small.
    """
    logged = _points(entries)
    if latest is not None:
        logged = logged[-latest:]
    path = planned_path(indicator, first=logged[0] if logged else None)
    rows = []
    if path.start is not None and path.target is not None:
        rows.append(Figure("Baseline", *path.start))
    rows += [Figure("Milestone", when, value) for when, value in path.milestones]
    if path.target is not None:
        rows.append(Figure("Target", *path.target))
    rows += [Figure("Logged value", when, value) for when, value in logged]
    rows.sort(key=lambda f: f.when)
    for row in rows:
        row.shown = show_value(indicator, row.value)
    return rows


def _nice_step(top: float) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about five gridlines."""
    raw = top / 5 if top > 0 else 1.0
    base = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5):
        if base * factor >= raw:
            return base * factor
    return base * 10


def _svg(template: str, *args) -> SafeString:
    """format_html for the many small SVG pieces, without its per-call overhead: text is
    escaped (stdlib html.escape, as Django's escape does), numbers and safe pieces pass as
    they are. Charts of 200 indicators build some 13,000 pieces per page."""
    parts = []
    for arg in args:
        if hasattr(arg, "__html__"):
            parts.append(arg.__html__())
        elif isinstance(arg, (int, float)):
            parts.append(arg)
        else:
            parts.append(html.escape(str(arg)))
    return SafeString(template.format(*parts))


def _fmt(x: float) -> str:
    return f"{x:.1f}"


def _join(parts, sep: str = "") -> SafeString:
    return SafeString(
        sep.join(p.__html__() if hasattr(p, "__html__") else html.escape(str(p)) for p in parts)
    )


def indicator_chart(indicator: Indicator, entries, status: IndicatorStatus) -> SafeString:
    """An inline SVG chart of one indicator: planned path from baseline through milestones to
    target, the target line, and the values logged over time."""
    logged = _points(entries)
    path = planned_path(indicator, first=logged[0] if logged else None)
    chart_id = f"chart-{indicator.pk}"
    title = _svg("{}: {}", indicator.name, status.label)
    desc = _description(indicator, path, logged, status)
    head = _svg(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" '
        'role="img" aria-labelledby="{}-title" aria-describedby="{}-desc" class="progress-chart" '
        'id="{}">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        chart_id,
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        desc,
    )
    dates = [d for d, _ in path.points] + [d for d, _ in logged]
    if not dates:
        body = _svg(
            '<text x="{}" y="{}" text-anchor="middle" font-size="14" fill="{}" {}>'
            "No target or values to chart yet</text>",
            WIDTH // 2,
            HEIGHT // 2,
            PLANNED,
            SafeString(FONT),
        )
        return _join([head, body, SafeString("</svg>")])
    values = [v for _, v in path.points] + [v for _, v in logged]
    if indicator.target_value is not None:
        values.append(Decimal(indicator.target_value))
    scale = _Scale(indicator, min(dates), max(dates), values)
    parts = [head, scale.axes()]
    if path.target is not None:
        y = scale.y(path.target[1])
        parts.append(
            _svg(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5" '
                'stroke-dasharray="2 3"/>',
                LEFT,
                _fmt(y),
                LEFT + PLOT_W,
                _fmt(y),
                TARGET,
            )
        )
    planned = path.points
    if len(planned) > 1 and indicator.direction != Indicator.Direction.ACHIEVE:
        parts.append(_polyline(scale, planned, PLANNED, dash="6 4"))
    if path.start is not None and len(planned) > 1:
        parts.append(_square(scale, *path.start))
    parts += [_diamond(scale, *point) for point in path.milestones]
    if path.target is not None:
        parts.append(_target(scale, *path.target))
    if len(logged) > 1:
        parts.append(_polyline(scale, logged, ACTUAL, width=2.5))
    # Years of monthly values make a dense line; past MAX_DOTS values only the latest (the ones
    # the table under the chart lists) get a dot. Each dot costs the PDF renderer ~10 ms.
    dotted = logged if len(logged) <= MAX_DOTS else logged[-LATEST_FIGURES:]
    parts += [_dot(scale, *point, last=point is logged[-1]) for point in dotted]
    parts.append(_legend())
    parts.append(SafeString("</svg>"))
    return _join(parts)


def _description(indicator, path, logged, status) -> SafeString:
    pieces = []
    if path.start is not None and path.target is not None:
        pieces.append(_svg("Baseline {} on {}.", number(path.start[1]), _day(path.start[0])))
    if path.milestones:
        pieces.append(
            _svg(
                "Milestones: {}.",
                ", ".join(f"{number(v)} by {_day(d)}" for d, v in path.milestones),
            )
        )
    if path.target is not None:
        pieces.append(_svg("Target {} by {}.", number(path.target[1]), _day(path.target[0])))
    if logged:
        pieces.append(
            _svg(
                "{} value{} logged; latest {} on {}.",
                len(logged),
                "" if len(logged) == 1 else "s",
                number(logged[-1][1]),
                _day(logged[-1][0]),
            )
        )
    else:
        pieces.append(SafeString("No values logged yet."))
    pieces.append(_svg("Status: {}. {}", status.label, status.note))
    return _join(pieces, " ")


class _Scale:
    def __init__(self, indicator, first: date, last: date, values):
        if first == last:
            first, last = first - timedelta(days=180), last + timedelta(days=180)
        pad = timedelta(days=max(10, (last - first).days // 25))  # keep markers off the axis
        first, last = first - pad, last + pad
        self.first, self.last = first, last
        self.days = (last - first).days
        top = float(max(values)) if values else 1.0
        self.milestone = indicator.unit == Indicator.Unit.MILESTONE
        if self.milestone:
            top = 1.0
        elif indicator.unit == Indicator.Unit.PERCENT and top <= 100:
            top = min(100.0, top * 1.1) if top > 0 else 10.0
        else:
            top = top * 1.1 if top > 0 else 1.0
        step = 1.0 if self.milestone else _nice_step(top)
        self.step = step
        self.top = step * -(-top // step)  # round up to a whole step

    def x(self, when: date) -> float:
        return LEFT + PLOT_W * (when - self.first).days / self.days

    def y(self, value) -> float:
        return TOP + PLOT_H * (1 - float(value) / self.top)

    def axes(self) -> SafeString:
        parts = []
        ticks = int(round(self.top / self.step))
        for i in range(ticks + 1):
            value = self.step * i
            y = self.y(value)
            if self.milestone:
                label = "Done" if value else "Not yet"
            else:
                label = number(Decimal(str(round(value, 6))))
            parts.append(
                _svg(
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                    '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="{}" {}>{}</text>',
                    LEFT,
                    _fmt(y),
                    LEFT + PLOT_W,
                    _fmt(y),
                    GRID,
                    LEFT - 6,
                    _fmt(y + 4),
                    PLANNED,
                    SafeString(FONT),
                    label,
                )
            )
        years = list(range(self.first.year + 1, self.last.year + 1))
        every = max(1, -(-len(years) // 8))
        for year in years[::every]:
            x = self.x(date(year, 1, 1))
            parts.append(
                _svg(
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1"/>'
                    '<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}" {}>{}'
                    "</text>",
                    _fmt(x),
                    TOP + PLOT_H,
                    _fmt(x),
                    TOP + PLOT_H + 5,
                    PLANNED,
                    _fmt(x),
                    TOP + PLOT_H + 18,
                    PLANNED,
                    SafeString(FONT),
                    year,
                )
            )
        parts.append(
            _svg(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5"/>',
                LEFT,
                TOP + PLOT_H,
                LEFT + PLOT_W,
                TOP + PLOT_H,
                PLANNED,
            )
        )
        return _join(parts)


def _polyline(scale, points, colour, *, dash=None, width=1.5) -> SafeString:
    coords = " ".join(f"{_fmt(scale.x(d))},{_fmt(scale.y(v))}" for d, v in points)
    return _svg(
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="{}"{}/>',
        coords,
        colour,
        width,
        _svg(' stroke-dasharray="{}"', dash) if dash else "",
    )


def _square(scale, when, value) -> SafeString:
    x, y = scale.x(when), scale.y(value)
    return _svg(
        '<rect x="{}" y="{}" width="10" height="10" fill="#fff" stroke="{}" stroke-width="2"/>',
        _fmt(x - 5),
        _fmt(y - 5),
        PLANNED,
    )


def _diamond(scale, when, value) -> SafeString:
    x, y = scale.x(when), scale.y(value)
    points = f"{_fmt(x)},{_fmt(y - 7)} {_fmt(x + 7)},{_fmt(y)} {_fmt(x)},{_fmt(y + 7)} " + (
        f"{_fmt(x - 7)},{_fmt(y)}"
    )
    return _svg('<polygon points="{}" fill="#fff" stroke="{}" stroke-width="2"/>', points, PLANNED)


def _target(scale, when, value) -> SafeString:
    x, y = scale.x(when), scale.y(value)
    return _svg(
        '<circle cx="{}" cy="{}" r="7" fill="#fff" stroke="{}" stroke-width="3"/>'
        '<circle cx="{}" cy="{}" r="2.5" fill="{}"/>',
        _fmt(x),
        _fmt(y),
        TARGET,
        _fmt(x),
        _fmt(y),
        TARGET,
    )


def _dot(scale, when, value, *, last=False) -> SafeString:
    return _svg(
        '<circle cx="{}" cy="{}" r="{}" fill="{}" stroke="#fff" stroke-width="1"/>',
        _fmt(scale.x(when)),
        _fmt(scale.y(value)),
        6 if last else 4.5,
        ACTUAL,
    )


def _legend() -> SafeString:
    y = HEIGHT - 34
    font = SafeString(FONT)
    items = [
        _svg(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2.5"/>'
            '<circle cx="{}" cy="{}" r="4.5" fill="{}"/>',
            LEFT,
            y,
            LEFT + 26,
            y,
            ACTUAL,
            LEFT + 13,
            y,
            ACTUAL,
        ),
        _svg('<text x="{}" y="{}" font-size="11" {}>Logged values</text>', LEFT + 32, y + 4, font),
        _svg(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5" '
            'stroke-dasharray="6 4"/>',
            LEFT + 140,
            y,
            LEFT + 166,
            y,
            PLANNED,
        ),
        _svg('<text x="{}" y="{}" font-size="11" {}>Planned path</text>', LEFT + 172, y + 4, font),
        _svg(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="1.5" '
            'stroke-dasharray="2 3"/><circle cx="{}" cy="{}" r="6" fill="#fff" stroke="{}" '
            'stroke-width="3"/>',
            LEFT + 270,
            y,
            LEFT + 296,
            y,
            TARGET,
            LEFT + 283,
            y,
            TARGET,
        ),
        _svg('<text x="{}" y="{}" font-size="11" {}>Target</text>', LEFT + 302, y + 4, font),
        _svg(
            '<rect x="{}" y="{}" width="10" height="10" fill="#fff" stroke="{}" stroke-width="2"/>',
            LEFT,
            y + 16,
            PLANNED,
        ),
        _svg('<text x="{}" y="{}" font-size="11" {}>Baseline</text>', LEFT + 16, y + 25, font),
        _svg(
            '<polygon points="{},{} {},{} {},{} {},{}" fill="#fff" stroke="{}" stroke-width="2"/>',
            LEFT + 143,
            y + 14,
            LEFT + 150,
            y + 21,
            LEFT + 143,
            y + 28,
            LEFT + 136,
            y + 21,
            PLANNED,
        ),
        _svg('<text x="{}" y="{}" font-size="11" {}>Milestone</text>', LEFT + 156, y + 25, font),
    ]
    return _join(items)
