"""The cycle's records, one module per part of the cycle. Import models from here."""

from cycle.models.approval import (
    BoardAdoption,
    Feedback,
    FeedbackLink,
    StakeholderGroup,
    StakeholderMeeting,
)
from cycle.models.communication import Channel, Communication
from cycle.models.drafting import Comment, DraftingRecord, PromptAnswer, Resource, TeamMember
from cycle.models.implementation import ActionStep
from cycle.models.inventory import (
    ComputedFigure,
    ComputedRule,
    Experience,
    ExperienceKind,
    ImportUpload,
    Student,
    StudentGroup,
)
from cycle.models.monitoring import DataReview, ProgressEntry, ReminderLog
from cycle.models.revision import GoalOutcome, RevisionRecord
from cycle.models.transitions import Transition

__all__ = [
    "ActionStep",
    "BoardAdoption",
    "Channel",
    "Comment",
    "ComputedFigure",
    "Communication",
    "ComputedRule",
    "DataReview",
    "DraftingRecord",
    "Experience",
    "ExperienceKind",
    "Feedback",
    "FeedbackLink",
    "GoalOutcome",
    "ImportUpload",
    "ProgressEntry",
    "PromptAnswer",
    "ReminderLog",
    "Resource",
    "RevisionRecord",
    "StakeholderGroup",
    "StakeholderMeeting",
    "Student",
    "StudentGroup",
    "TeamMember",
    "Transition",
]
