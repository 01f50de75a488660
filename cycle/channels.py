"""Stage 3, Communicate: the standard places a district shares its adopted goals, the channel
checklist of one goal set (which channels it has reached, and when), and when logging is open.

The standard list follows the source document's advice on where goals should be shared,
written in our own words. Each district gets its own Channel rows for them, created the first
time someone needs them (`ensure_standard_channels`); districts add their own channels too
(Channel rows with an empty `standard_key`).
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count, Max, Min, Q

from cycle.models import Channel
from goals.models import GoalSet, Stage
from wbl.history import save_with_history
from wbl.models import District


@dataclass(frozen=True)
class StandardChannel:
    key: str
    name: str
    hint: str


STANDARD_CHANNELS = [
    StandardChannel(
        "website",
        "District website",
        "A prominent page that people find without searching for it.",
    ),
    StandardChannel(
        "vision",
        "Alongside the vision, mission and graduate profile",
        "Wherever the district presents what it stands for, the goals appear next to it.",
    ),
    StandardChannel(
        "talking_points",
        "Superintendent and board talking points",
        "Repeated in speeches and meetings, not mentioned once.",
    ),
    StandardChannel(
        "site_staff",
        "Site administrators and pathway teachers",
        "They carry the targets into classrooms as expectations for every student.",
    ),
    StandardChannel(
        "employers",
        "Employer partners",
        "Every employer that works with the district's pathways.",
    ),
    StandardChannel(
        "intermediaries",
        "Intermediary organizations",
        "Organizations that help arrange and support WBL.",
    ),
    StandardChannel(
        "vendors",
        "Vendors",
        "Companies that do business with the district.",
    ),
    StandardChannel(
        "parents",
        "Parent newsletters and back-to-school events",
        "District and school newsletters, and events at the start of the year.",
    ),
    StandardChannel(
        "counselors",
        "Students, with their counselors",
        "When students meet their academic counselor.",
    ),
    StandardChannel(
        "recruiting",
        "Recruiting materials",
        "What schools and pathways hand out to attract students.",
    ),
    StandardChannel(
        "community",
        "Community leaders",
        "Framed as an invitation to help the district reach its goals.",
    ),
    StandardChannel(
        "strategic_plan",
        "LCAP or strategic-plan writing team",
        "So the district's key plan and its budget line up behind the goals.",
    ),
]
STANDARD_BY_KEY = {channel.key: channel for channel in STANDARD_CHANNELS}
CUSTOM_ORDER = 1000  # districts' own channels come after the standard list

# Communications are logged once the board has adopted a set, and while its goals are being
# worked on: stages 3 to 5 overlap. Once a revision is open the log is kept for the record but
# closed; the next version gets its own log once it is adopted.
LOG_STAGES = (Stage.COMMUNICATE, Stage.IMPLEMENT, Stage.MONITOR)


def log_refusal(goal_set: GoalSet) -> str:
    """Why communications cannot be logged for this set now ("" when they can)."""
    if goal_set.stage in LOG_STAGES:
        return ""
    if goal_set.stage in (Stage.DRAFT, Stage.APPROVE):
        return (
            f"“{goal_set.title}” is in {goal_set.get_stage_display()}. Communications are "
            "logged once the board has adopted the set (stages 3 Communicate to 5 Monitor)."
        )
    return (
        f"“{goal_set.title}” is in {goal_set.get_stage_display()}: its communication log is "
        "closed and kept as a record. The next version gets its own log once it is adopted."
    )


def ensure_standard_channels(district: District, *, by) -> None:
    """Give the district a Channel row for each standard channel it does not have yet.

    A channel the district created earlier under the same name becomes the standard one.
    Each row written gets a history row naming `by`. Safe to call on every request: it
    writes only what is missing.
    """
    with transaction.atomic():
        # Lock the district row so two first visitors do not both create the list.
        District.objects.select_for_update().filter(pk=district.pk).first()
        existing = list(Channel.objects.filter(district=district))
        keys = {channel.standard_key for channel in existing}
        by_name = {channel.name.casefold(): channel for channel in existing}
        for order, standard in enumerate(STANDARD_CHANNELS, start=1):
            if standard.key in keys:
                continue
            channel = by_name.get(standard.name.casefold())
            if channel is None:
                channel = Channel(
                    district=district,
                    name=standard.name,
                    standard_key=standard.key,
                    order=order,
                )
            else:
                channel.standard_key = standard.key
                channel.order = order
                channel.row_version += 1
            save_with_history(channel, by=by, reason="Standard channel")


def has_all_standard_channels(channels) -> bool:
    return set(STANDARD_BY_KEY) <= {channel.standard_key for channel in channels}


@dataclass
class ChecklistEntry:
    name: str
    hint: str
    standard: bool
    channel: Channel | None
    times: int = 0
    first_date: date | None = None
    last_date: date | None = None

    @property
    def covered(self) -> bool:
        return self.times > 0


@dataclass
class Checklist:
    entries: list[ChecklistEntry]

    @property
    def covered(self) -> int:
        return sum(1 for entry in self.entries if entry.covered)

    @property
    def total(self) -> int:
        return len(self.entries)

    @property
    def channels(self) -> list[Channel]:
        return [entry.channel for entry in self.entries if entry.channel is not None]


def channels_with_coverage(goal_set: GoalSet):
    """The district's channels, each annotated with how often and when this set was shared
    through it (one query)."""
    for_set = Q(communications__goal_set=goal_set)
    return Channel.objects.filter(district_id=goal_set.district_id).annotate(
        times=Count("communications", filter=for_set),
        first_date=Min("communications__date", filter=for_set),
        last_date=Max("communications__date", filter=for_set),
    )


def checklist(goal_set: GoalSet, channels=None) -> Checklist:
    """Every standard channel (whether or not the district has its row yet) and every channel
    the district added, with this set's coverage. Pass `channels` from
    `channels_with_coverage` to reuse rows already fetched."""
    if channels is None:
        channels = list(channels_with_coverage(goal_set))
    by_key = {channel.standard_key: channel for channel in channels if channel.standard_key}
    entries = []
    for standard in STANDARD_CHANNELS:
        channel = by_key.get(standard.key)
        entries.append(
            ChecklistEntry(
                name=channel.name if channel else standard.name,
                hint=standard.hint,
                standard=True,
                channel=channel,
                times=channel.times if channel else 0,
                first_date=channel.first_date if channel else None,
                last_date=channel.last_date if channel else None,
            )
        )
    for channel in channels:
        if channel.standard_key in STANDARD_BY_KEY:
            continue
        entries.append(
            ChecklistEntry(
                name=channel.name,
                hint="Added by the district.",
                standard=False,
                channel=channel,
                times=channel.times,
                first_date=channel.first_date,
                last_date=channel.last_date,
            )
        )
    return Checklist(entries)
