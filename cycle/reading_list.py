"""The district's reading list for drafting teams, seeded from the source document's list of
resources for building WBL expertise (titles and addresses as the document gives them; the
descriptions are ours).

A district's list is seeded once, the first time anyone needs it (or by load_demo); after
that it is the district's to edit, and a list emptied on purpose stays empty.
"""

from django.db import transaction

from cycle.models import Resource
from wbl.history import save_with_history
from wbl.models import District

READING_LIST = [
    (
        "Making Work-Based Learning Work",
        "A JFF paper on designing and running WBL models that reach people who miss out on "
        "these chances today, built around seven principles for effective WBL.",
        "http://www.jff.org/publications/making-work-based-learning-work",
    ),
    (
        "Work-Based Learning in Linked Learning: Definitions, Outcomes, and Quality Criteria",
        "The Linked Learning Alliance's shared vocabulary for WBL (2012), with what "
        "high-quality experiences look like and what they should achieve.",
        "https://goo.gl/UPjdLd",
    ),
    (
        "CCASN’s WBL Toolbox",
        "A free online collection from UC Berkeley's academy support network: more than 40 "
        "ready-made forms and tools, from job-shadow permission slips to internship reviews.",
        "http://casn.berkeley.edu/resources.php?c=7",
    ),
    (
        "Work-Based Learning in California: Opportunities and Models for Expansion",
        "WestEd's 2009 report on why WBL matters and what it involves, with working examples "
        "and a look at what it would take to offer more of it.",
        "https://www.wested.org/online_pubs/workbasedlearning.pdf",
    ),
    (
        "Education Policy Improvement Center Resources on College and Career Readiness",
        "Research-based materials from EPIC on what being ready for college and career "
        "actually means for a student.",
        "https://goo.gl/7AViv6",
    ),
]


def was_seeded(district: District) -> bool:
    """Has the district ever had a reading list (seeded or its own)? One query."""
    return Resource.history.filter(district_id=district.pk).exists()


def seed_reading_list(district: District, *, by) -> list[Resource]:
    """Give the district the document's reading list, unless it has ever had one.

    Returns the rows created (none when the list was seeded before). `by` is the acting user,
    or None when the system seeds the list on first use.
    """
    with transaction.atomic():
        District.objects.select_for_update().filter(pk=district.pk).first()
        if was_seeded(district):
            return []
        created = []
        for order, (title, description, url) in enumerate(READING_LIST, start=1):
            resource = Resource(
                district=district, title=title, description=description, url=url, order=order
            )
            resource.full_clean()
            save_with_history(resource, by=by, reason="Seeded with the Design Tool's reading list")
            created.append(resource)
    return created


def ensure_reading_list(district: District) -> None:
    """Seed the list on first use; one query once it has been seeded."""
    if not was_seeded(district):
        seed_reading_list(district, by=None)
