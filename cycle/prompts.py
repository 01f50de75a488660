"""The Design Tool's discussion prompts for a drafting team, in our own words.

The source document gives nine questions for system-level goals and six for student-level
goals. A goal set's team answers the prompts of its level; answers are PromptAnswer rows keyed
by `Prompt.key` ("system-1" ... "system-9", "student-1" ... "student-6").
"""

from dataclasses import dataclass

from goals.models import GoalSet


@dataclass(frozen=True)
class Prompt:
    key: str
    level: str
    number: int
    topic: str
    text: str


_SYSTEM = [
    (
        "Readiness",
        "What do we mean by college and career readiness in our district? What would a "
        "student who has it be able to show us, and what part can WBL play in getting there?",
    ),
    (
        "Other priorities",
        "Which of the district's other priorities would more WBL move forward, and how? How "
        "do we make that case to colleagues who lead those priorities?",
    ),
    (
        "The system we want",
        "Picture WBL working as well as it could in our district, school or pathway. What is "
        "in place, and who takes part?",
    ),
    (
        "How far to go",
        "How far is today's WBL from that picture? How much would have to grow to close the gap?",
    ),
    (
        "Targets",
        "Which numbers for WBL growth would stretch us without being out of reach?",
    ),
    (
        "Staffing",
        "Which people, in which roles and with how much of their time, would that system need?",
    ),
    (
        "Programs",
        "Which programs or offerings would we have to add to get there?",
    ),
    (
        "Commitments",
        "Which concrete steps is the district ready to promise now?",
    ),
    (
        "Timeline",
        "Over what period could these changes happen, if we aim high but stay realistic?",
    ),
]

_STUDENT = [
    (
        "Same for everyone?",
        "Do we expect the same WBL accomplishments from every student? If some expectations "
        "differ, for whom and why?",
    ),
    (
        "Evidence",
        "What would show us that a student is ready for a career?",
    ),
    (
        "The floor",
        "What minimum set of WBL experiences or accomplishments should every student reach?",
    ),
    (
        "Grade by grade",
        "How should WBL experiences build on one another from grade 9 to grade 12?",
    ),
    (
        "Support",
        "Can our pathways, schools and district office offer the programs these experiences "
        "need? Where are the gaps?",
    ),
    (
        "Part of the curriculum",
        "How do we make WBL part of what students learn in class rather than an extra, even "
        "when it takes place outside school hours?",
    ),
]


def _build(level: str, rows) -> list[Prompt]:
    return [
        Prompt(f"{level}-{number}", level, number, topic, text)
        for number, (topic, text) in enumerate(rows, start=1)
    ]


PROMPTS: dict[str, list[Prompt]] = {
    GoalSet.Level.SYSTEM: _build(GoalSet.Level.SYSTEM, _SYSTEM),
    GoalSet.Level.STUDENT: _build(GoalSet.Level.STUDENT, _STUDENT),
}
BY_KEY: dict[str, Prompt] = {p.key: p for prompts in PROMPTS.values() for p in prompts}


def prompts_for(goal_set: GoalSet) -> list[Prompt]:
    """The prompts a goal set's drafting team discusses: those of its level."""
    return PROMPTS[goal_set.level]


def prompt_for(goal_set: GoalSet, key: str) -> Prompt | None:
    """The prompt with this key, if it belongs to the goal set's level."""
    prompt = BY_KEY.get(key)
    return prompt if prompt is not None and prompt.level == goal_set.level else None
