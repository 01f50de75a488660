"""`manage.py load_demo`: the source document's example districts, goals and demo accounts.

Idempotent: each row is found by its natural key (district slug, school / pathway / partner
name in its district, user email, goal set title and version, goal statement in its set,
indicator name in its goal) and saved only when it differs from the demo data, so a second
run adds no rows and no history. Every save goes through `save_with_history`, naming the
district's demo administrator, and the whole load is one transaction.

The demo accounts share the password "demo": the command refuses to run unless DEBUG is on
or --force is given.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cycle.demo import approval, communication, inventory, monitoring, stages
from goals.models import Goal, GoalSet, Indicator
from wbl.history import save_with_history
from wbl.models import District, Membership, Partner, Pathway, School, User

DEMO_PASSWORD = "demo"
URL = "http://127.0.0.1:8000/"

Role = Membership.Role
Kind = Partner.Kind
Topic = Goal.TopicArea
Continuum = Goal.ContinuumStage
Horizon = Goal.Horizon
Grade = Goal.Grade
Unit = Indicator.Unit
Direction = Indicator.Direction
Frequency = Indicator.Frequency

ADMIN = "admin@demo.wbl"
STAFF = "staff@demo.wbl"
COORDINATOR = "coordinator@demo.wbl"
BOARD = "board@demo.wbl"
VIEWER = "viewer@demo.wbl"
CENTRAL_ADMIN = "central-admin@demo.wbl"

USERS = {
    ADMIN: "Dana Whitfield",
    STAFF: "Marcus Ortega",
    COORDINATOR: "Priya Raman",
    BOARD: "Gloria Benton",
    VIEWER: "Kevin Liu",
    CENTRAL_ADMIN: "Renee Castillo",
}

# -- districts, in our own words -------------------------------------------------------------

MIDTOWN = {
    "slug": "midtown",
    "name": "Midtown District",
    "admin": ADMIN,
    "vision": (
        "Every Midtown graduate leaves high school with a plan for life after graduation, the "
        "skills to carry it out, and first-hand experience of the working world."
    ),
    "mission": (
        "Midtown District works with families, employers and colleges to give every student "
        "rigorous academics, a career academy that fits their interests, and learning in real "
        "workplaces from the first year of high school to the last."
    ),
    "graduate_profile": (
        "A Midtown graduate communicates clearly, solves problems together with others, "
        "manages their own learning, uses technology responsibly, and is ready to enter "
        "college, training or a career of their choosing."
    ),
    "schools": ["Riverview High School", "Lakeside High School", "Hillcrest High School"],
    "pathways": [
        ("Engineering", "Riverview High School", "Engineering and architecture"),
        ("Health Sciences", "Lakeside High School", "Health science and medical technology"),
        ("Information Technology", "Hillcrest High School", "Information and communication"),
        ("Arts, Media and Entertainment", None, "Arts, media and entertainment"),
    ],
    "partners": [
        ("Northgate Engineering Group", Kind.EMPLOYER, "Jordan Ellis, early-careers lead"),
        ("Midtown Regional Medical Center", Kind.EMPLOYER, "Teresa Nguyen, volunteer office"),
        ("Summit Software", Kind.EMPLOYER, "Alex Park, engineering manager"),
        ("Midtown Business Education Alliance", Kind.INTERMEDIARY, "Sandra Mills, director"),
        ("Midtown Community College", Kind.POSTSECONDARY, "Office of dual enrollment"),
        ("Riverview Rotary Club", Kind.COMMUNITY, "Youth services chair"),
        ("Tri-County Workforce Development Board", Kind.REGIONAL, "Youth programs manager"),
    ],
}

CENTRAL = {
    "slug": "central",
    "name": "Central School District",
    "admin": CENTRAL_ADMIN,
    "vision": (
        "Central students discover what they are good at and what their community needs, and "
        "graduate ready to pursue both."
    ),
    "mission": (
        "The Central School District connects classroom learning to careers from kindergarten "
        "on, with employers, community organizations and colleges as everyday partners."
    ),
    "graduate_profile": (
        "Central graduates are curious, collaborative, adaptable and aware of the careers open "
        "to them; they can show what they know through work they are proud of, and they have "
        "tried out the kind of work they hope to do."
    ),
    "schools": [
        "Central High School",
        "Eastgate High School",
        "Central Middle School",
        "Oak Street Elementary School",
    ],
    "pathways": [
        ("Advanced Manufacturing", "Eastgate High School", "Manufacturing and product design"),
        ("Business and Finance", "Central High School", "Business and finance"),
    ],
    "partners": [
        ("Valley Precision Manufacturing", Kind.EMPLOYER, "Luis Romero, plant manager"),
        ("First Central Credit Union", Kind.EMPLOYER, "Community relations"),
        ("Central Career Connect", Kind.INTERMEDIARY, "Employer engagement team"),
        ("Central State University", Kind.POSTSECONDARY, "College of Engineering outreach"),
        ("Central Youth Club", Kind.COMMUNITY, "Program director"),
        ("Central Valley Workforce Board", Kind.REGIONAL, "Youth employment programs"),
    ],
}

# -- goal sets: the document's examples ------------------------------------------------------
# Goal statements are the document's short examples (the demo data). Deliberately imperfect,
# so the drafting quality check has something to show: Midtown's graduate-profile goal has no
# owner, and Riverview's microcredentials indicator has no target date.

JUNE_2020 = date(2020, 6, 30)

MIDTOWN_SETS = [
    {
        "title": "Midtown WBL system expansion",
        "level": GoalSet.Level.SYSTEM,
        "scope": GoalSet.Scope.DISTRICT,
        "stem": "By 2020, Midtown District will expand its existing WBL system to ensure that:",
        "start_year": 2017,
        "target_year": 2020,
        "goals": [
            {
                "statement": (
                    "All career academies offer two to three WBL opportunities per grade "
                    "level per year"
                ),
                "owner": STAFF,
                "topic_area": Topic.OPPORTUNITIES,
                "continuum_stage": Continuum.EXPLORATION,
                "horizon": Horizon.LONG,
                "responsible_roles": "Academy leads, site WBL coordinators",
                "partners": ["Midtown Business Education Alliance", "Northgate Engineering Group"],
                "indicators": [
                    {
                        "name": "WBL opportunities per grade level per year (lowest academy)",
                        "unit": Unit.COUNT,
                        "baseline_value": 1,
                        "baseline_year": 2017,
                        "target_value": 2,
                        "target_date": JUNE_2020,
                        "direction": Direction.INCREASE,
                        "data_source": "Academy WBL calendars",
                        "collection_frequency": Frequency.YEARLY,
                    },
                ],
            },
            {
                "statement": (
                    "The percentage of seniors completing internships grows from 20 to 50 percent"
                ),
                "owner": STAFF,
                "topic_area": Topic.OPPORTUNITIES,
                "continuum_stage": Continuum.PREPARATION,
                "horizon": Horizon.LONG,
                "responsible_roles": "Site WBL coordinators, counselors, academy teachers",
                "partners": [
                    "Midtown Business Education Alliance",
                    "Northgate Engineering Group",
                    "Midtown Regional Medical Center",
                    "Summit Software",
                ],
                "indicators": [
                    {
                        "name": "Seniors completing internships",
                        "unit": Unit.PERCENT,
                        "baseline_value": 20,
                        "baseline_year": 2017,
                        "target_value": 50,
                        "target_date": JUNE_2020,
                        "direction": Direction.INCREASE,
                        "milestones": {"2018": 30, "2019": 40},
                        "data_source": "WBL experience inventory",
                        "collection_frequency": Frequency.SEMESTER,
                    },
                ],
            },
            {
                "statement": "Each high school site employs one full-time WBL coordinator",
                "owner": ADMIN,
                "topic_area": Topic.CAPACITY,
                "continuum_stage": "",
                "horizon": Horizon.SHORT,
                "responsible_roles": "Superintendent's cabinet, high school principals",
                "partners": [],
                "indicators": [
                    {
                        "name": "High schools with a full-time WBL coordinator",
                        "unit": Unit.COUNT,
                        "baseline_value": 1,
                        "baseline_year": 2017,
                        "target_value": 3,  # one per high school
                        "target_date": date(2019, 8, 15),
                        "direction": Direction.INCREASE,
                        "data_source": "District staffing roster",
                        "collection_frequency": Frequency.YEARLY,
                    },
                ],
            },
            {
                "statement": (
                    "The Senior Exhibition requirement includes an explicit WBL component"
                ),
                "owner": STAFF,
                "topic_area": Topic.CURRICULUM,
                "continuum_stage": Continuum.PREPARATION,
                "horizon": Horizon.SHORT,
                "responsible_roles": "Senior Exhibition committee, academy teachers",
                "partners": [],
                "indicators": [
                    {
                        "name": "Senior Exhibition guidelines include a WBL component",
                        "unit": Unit.MILESTONE,
                        "baseline_value": 0,
                        "baseline_year": 2017,
                        "target_value": 1,
                        "target_date": date(2019, 6, 30),
                        "direction": Direction.ACHIEVE,
                        "data_source": "Senior Exhibition handbook",
                        "collection_frequency": Frequency.YEARLY,
                    },
                ],
            },
            {
                "statement": (
                    "WBL experiences are increased across the WBL Continuum by 25 percent in "
                    "the 2017-18 school year"
                ),
                "owner": STAFF,
                "topic_area": Topic.OPPORTUNITIES,
                "continuum_stage": "",
                "horizon": Horizon.SHORT,
                "responsible_roles": "Site WBL coordinators, academy leads",
                "partners": [
                    "Midtown Business Education Alliance",
                    "Riverview Rotary Club",
                    "Tri-County Workforce Development Board",
                ],
                "indicators": [
                    {
                        "name": "WBL experiences recorded across the continuum",
                        "unit": Unit.COUNT,
                        "baseline_value": 1200,
                        "baseline_year": 2017,
                        "target_value": Decimal(1200) * Decimal("1.25"),
                        "target_date": date(2018, 6, 30),
                        "direction": Direction.INCREASE,
                        "data_source": "WBL experience inventory",
                        "collection_frequency": Frequency.SEMESTER,
                    },
                ],
            },
            {
                "statement": "WBL is specified in the graduate profile",
                "owner": None,  # deliberately missing: the quality check flags it
                "topic_area": Topic.GOVERNANCE,
                "continuum_stage": "",
                "horizon": Horizon.SHORT,
                "responsible_roles": "Superintendent, school board",
                "partners": [],
                "indicators": [
                    {
                        "name": "Board-adopted graduate profile names WBL",
                        "unit": Unit.MILESTONE,
                        "baseline_value": 0,
                        "baseline_year": 2017,
                        "target_value": 1,
                        "target_date": date(2018, 6, 30),
                        "direction": Direction.ACHIEVE,
                        "data_source": "Board minutes",
                        "collection_frequency": Frequency.YEARLY,
                    },
                ],
            },
        ],
    },
    {
        "title": "Engineering pathway student goals",
        "level": GoalSet.Level.STUDENT,
        "scope": GoalSet.Scope.PATHWAY,
        "pathway": "Engineering",
        "stem": "All members of the engineering pathway will:",
        "start_year": 2017,
        "target_year": 2020,
        "goals": [
            {
                "statement": (
                    "Complete a career exploration project with a score of proficient or higher"
                ),
                "grade": Grade.G9,
                "owner": COORDINATOR,
                "topic_area": Topic.CURRICULUM,
                "continuum_stage": Continuum.EXPLORATION,
                "horizon": Horizon.SHORT,
                "responsible_roles": "Grade 9 engineering teachers",
                "partners": [],
                "indicators": [
                    {
                        "name": "Grade 9 members scoring proficient or higher on the project",
                        "unit": Unit.PERCENT,
                        "baseline_value": 72,
                        "baseline_year": 2017,
                        "target_value": 90,
                        "target_date": JUNE_2020,
                        "direction": Direction.INCREASE,
                        "data_source": "Project rubric scores",
                        "collection_frequency": Frequency.YEARLY,
                    },
                ],
            },
            {
                "statement": (
                    "Conduct two job-shadowing experiences and submit required reflections"
                ),
                "grade": Grade.G10,
                "owner": COORDINATOR,
                "topic_area": Topic.OPPORTUNITIES,
                "continuum_stage": Continuum.EXPLORATION,
                "horizon": Horizon.SHORT,
                "responsible_roles": "Engineering pathway coordinator, grade 10 teachers",
                "partners": ["Northgate Engineering Group", "Summit Software"],
                "indicators": [
                    {
                        "name": "Grade 10 members with two job shadows and reflections",
                        "unit": Unit.PERCENT,
                        "baseline_value": 45,
                        "baseline_year": 2017,
                        "target_value": 90,
                        "target_date": JUNE_2020,
                        "direction": Direction.INCREASE,
                        "data_source": "WBL experience inventory",
                        "collection_frequency": Frequency.SEMESTER,
                    },
                ],
            },
            {
                "statement": "Participate in a mock interview and prepare a professional resume",
                "grade": Grade.G11,
                "owner": COORDINATOR,
                "topic_area": Topic.OPPORTUNITIES,
                "continuum_stage": Continuum.PREPARATION,
                "horizon": Horizon.SHORT,
                "responsible_roles": "Grade 11 engineering teachers, counselors",
                "partners": ["Northgate Engineering Group", "Riverview Rotary Club"],
                "indicators": [
                    {
                        "name": "Grade 11 members with a mock interview and a resume",
                        "unit": Unit.PERCENT,
                        "baseline_value": 60,
                        "baseline_year": 2017,
                        "target_value": 100,
                        "target_date": JUNE_2020,
                        "direction": Direction.INCREASE,
                        "data_source": "WBL experience inventory",
                        "collection_frequency": Frequency.YEARLY,
                    },
                ],
            },
            {
                "statement": "Successfully complete a minimum of 40 hours of internship experience",
                "grade": Grade.G12,
                "owner": COORDINATOR,
                "topic_area": Topic.OPPORTUNITIES,
                "continuum_stage": Continuum.PREPARATION,
                "horizon": Horizon.LONG,
                "responsible_roles": "Engineering pathway coordinator",
                "partners": [
                    "Northgate Engineering Group",
                    "Summit Software",
                    "Midtown Business Education Alliance",
                ],
                "indicators": [
                    {
                        "name": "Seniors completing 40 or more internship hours",
                        "unit": Unit.PERCENT,
                        "baseline_value": 25,
                        "baseline_year": 2017,
                        "target_value": 90,
                        "target_date": JUNE_2020,
                        "direction": Direction.INCREASE,
                        "milestones": {"2018": 45, "2019": 70},
                        "data_source": "WBL experience inventory",
                        "collection_frequency": Frequency.SEMESTER,
                    },
                    {
                        "name": "Median internship hours per senior",
                        "unit": Unit.HOURS,
                        "baseline_value": 18,
                        "baseline_year": 2017,
                        "target_value": 40,
                        "target_date": JUNE_2020,
                        "direction": Direction.INCREASE,
                        "data_source": "WBL experience inventory",
                        "collection_frequency": Frequency.SEMESTER,
                    },
                ],
            },
            {
                "statement": (
                    "Demonstrate all six of the engineering pathway's career-ready skills "
                    "through the successful completion of a senior defense presentation"
                ),
                "grade": Grade.BEFORE_GRADUATION,
                "owner": COORDINATOR,
                "topic_area": Topic.CURRICULUM,
                "continuum_stage": Continuum.TRAINING,
                "horizon": Horizon.LONG,
                "responsible_roles": "Engineering pathway teachers, senior defense panelists",
                "partners": ["Northgate Engineering Group", "Midtown Community College"],
                "indicators": [
                    {
                        "name": "Graduates passing the senior defense on all six skills",
                        "unit": Unit.PERCENT,
                        "baseline_value": 80,
                        "baseline_year": 2017,
                        "target_value": 100,
                        "target_date": JUNE_2020,
                        "direction": Direction.INCREASE,
                        "data_source": "Senior defense panel scores",
                        "collection_frequency": Frequency.YEARLY,
                    },
                ],
            },
        ],
    },
    {
        "title": "Riverview High School student goals",
        "level": GoalSet.Level.STUDENT,
        "scope": GoalSet.Scope.SCHOOL,
        "school": "Riverview High School",
        "stem": "All students at Riverview High School will:",
        "start_year": 2017,
        "target_year": 2020,
        "goals": [
            {
                "statement": (
                    "Complete and annually update a four-year course plan that includes "
                    "quarterly WBL benchmarks"
                ),
                "grade": Grade.EACH_YEAR,
                "owner": COORDINATOR,
                "topic_area": Topic.CURRICULUM,
                "continuum_stage": Continuum.EXPLORATION,
                "horizon": Horizon.SHORT,
                "responsible_roles": "Counselors, advisory teachers",
                "partners": [],
                "indicators": [
                    {
                        "name": "Students with a course plan updated this year",
                        "unit": Unit.PERCENT,
                        "baseline_value": 55,
                        "baseline_year": 2017,
                        "target_value": 100,
                        "target_date": JUNE_2020,
                        "direction": Direction.INCREASE,
                        "data_source": "Counseling records",
                        "collection_frequency": Frequency.YEARLY,
                    },
                ],
            },
            {
                "statement": (
                    "Complete and submit at least three part-time employment applications by "
                    "the fall of grade 12"
                ),
                "grade": Grade.G12,
                "owner": COORDINATOR,
                "topic_area": Topic.OPPORTUNITIES,
                "continuum_stage": Continuum.PREPARATION,
                "horizon": Horizon.SHORT,
                "responsible_roles": "Senior seminar teachers, WBL coordinator",
                "partners": ["Riverview Rotary Club", "Tri-County Workforce Development Board"],
                "indicators": [
                    {
                        "name": "Seniors submitting three or more applications by December",
                        "unit": Unit.PERCENT,
                        "baseline_value": 30,
                        "baseline_year": 2017,
                        "target_value": 90,
                        "target_date": date(2019, 12, 20),
                        "direction": Direction.INCREASE,
                        "data_source": "Senior seminar checklist",
                        "collection_frequency": Frequency.SEMESTER,
                    },
                ],
            },
            {
                "statement": (
                    "Successfully obtain at least four different microcredentials that "
                    "demonstrate discrete skills from their elective courses"
                ),
                "grade": Grade.BEFORE_GRADUATION,
                "owner": COORDINATOR,
                "topic_area": Topic.CURRICULUM,
                "continuum_stage": Continuum.TRAINING,
                "horizon": Horizon.LONG,
                "responsible_roles": "Elective teachers",
                "partners": ["Midtown Community College"],
                "indicators": [
                    {
                        "name": "Graduates holding four or more microcredentials",
                        "unit": Unit.PERCENT,
                        "baseline_value": 10,
                        "baseline_year": 2017,
                        "target_value": 75,
                        "target_date": None,  # deliberately missing: the quality check flags it
                        "direction": Direction.INCREASE,
                        "data_source": "Microcredential platform export",
                        "collection_frequency": Frequency.YEARLY,
                    },
                ],
            },
            {
                "statement": (
                    "Attend at least one brown-bag lunch with guest speakers from the school's "
                    "employer partner community each semester and submit reflections on one "
                    "of these events each year"
                ),
                "grade": Grade.EACH_SEMESTER,
                "owner": COORDINATOR,
                "topic_area": Topic.PARTNERSHIPS,
                "continuum_stage": Continuum.AWARENESS,
                "horizon": Horizon.SHORT,
                "responsible_roles": "WBL coordinator, advisory teachers",
                "partners": [
                    "Northgate Engineering Group",
                    "Midtown Regional Medical Center",
                    "Summit Software",
                ],
                "indicators": [
                    {
                        "name": "Students attending a guest-speaker lunch this semester",
                        "unit": Unit.PERCENT,
                        "baseline_value": 40,
                        "baseline_year": 2017,
                        "target_value": 95,
                        "target_date": JUNE_2020,
                        "direction": Direction.INCREASE,
                        "data_source": "Event sign-in sheets",
                        "collection_frequency": Frequency.SEMESTER,
                    },
                ],
            },
        ],
    },
]

JUNE_2021 = date(2021, 6, 30)

CENTRAL_SETS = [
    {
        "title": "Central WBL system",
        "level": GoalSet.Level.SYSTEM,
        "scope": GoalSet.Scope.DISTRICT,
        "stem": "The Central School District will develop a WBL system that features:",
        "start_year": 2018,
        "target_year": 2021,
        "goals": [
            {
                "statement": (
                    "A written K-12 progression of experiences that grows from career "
                    "awareness, to career exploration, to career preparation and training"
                ),
                "owner": CENTRAL_ADMIN,
                "topic_area": Topic.CURRICULUM,
                "continuum_stage": "",
                "horizon": Horizon.SHORT,
                "responsible_roles": "Curriculum office, school principals",
                "partners": [],
                "indicators": [
                    {
                        "name": "K-12 WBL progression adopted",
                        "unit": Unit.MILESTONE,
                        "baseline_value": 0,
                        "baseline_year": 2018,
                        "target_value": 1,
                        "target_date": date(2019, 6, 30),
                        "direction": Direction.ACHIEVE,
                        "data_source": "Board minutes",
                        "collection_frequency": Frequency.YEARLY,
                    },
                ],
            },
            {
                "statement": (
                    "WBL opportunities that are open to every student, regardless of their "
                    "program enrollment or prior achievement"
                ),
                "owner": STAFF,
                "topic_area": Topic.ACCESS,
                "continuum_stage": "",
                "horizon": Horizon.LONG,
                "responsible_roles": "Counselors, site WBL staff",
                "partners": ["Central Career Connect"],
                "indicators": [
                    {
                        "name": "High school students with a WBL experience this year",
                        "unit": Unit.PERCENT,
                        "baseline_value": 38,
                        "baseline_year": 2018,
                        "target_value": 90,
                        "target_date": JUNE_2021,
                        "direction": Direction.INCREASE,
                        "milestones": {"2019": 55, "2020": 75},
                        "data_source": "WBL experience inventory",
                        "collection_frequency": Frequency.SEMESTER,
                    },
                ],
            },
            {
                "statement": (
                    "Direct involvement from at least 100 employer partners in our local "
                    "business community"
                ),
                "owner": STAFF,
                "topic_area": Topic.PARTNERSHIPS,
                "continuum_stage": "",
                "horizon": Horizon.LONG,
                "responsible_roles": "District WBL office",
                "partners": [
                    "Central Career Connect",
                    "Valley Precision Manufacturing",
                    "First Central Credit Union",
                ],
                "indicators": [
                    {
                        "name": "Employer partners directly involved",
                        "unit": Unit.COUNT,
                        "baseline_value": 35,
                        "baseline_year": 2018,
                        "target_value": 100,
                        "target_date": JUNE_2021,
                        "direction": Direction.INCREASE,
                        "milestones": {"2019": 55, "2020": 80},
                        "data_source": "Partner database",
                        "collection_frequency": Frequency.QUARTERLY,
                    },
                ],
            },
            {
                "statement": (
                    "District- and site-level staff dedicated to program implementation and "
                    "assessment"
                ),
                "owner": CENTRAL_ADMIN,
                "topic_area": Topic.CAPACITY,
                "continuum_stage": "",
                "horizon": Horizon.SHORT,
                "responsible_roles": "Superintendent's cabinet, human resources",
                "partners": [],
                "indicators": [
                    {
                        "name": "Schools with dedicated WBL staff time",
                        "unit": Unit.COUNT,
                        "baseline_value": 1,
                        "baseline_year": 2018,
                        "target_value": 4,  # every Central school
                        "target_date": date(2020, 8, 15),
                        "direction": Direction.INCREASE,
                        "data_source": "District staffing roster",
                        "collection_frequency": Frequency.YEARLY,
                    },
                ],
            },
            {
                "statement": (
                    "An intermediary organization responsible for employer engagement and "
                    "coordination of WBL experiences with employers"
                ),
                "owner": STAFF,
                "topic_area": Topic.PARTNERSHIPS,
                "continuum_stage": "",
                "horizon": Horizon.SHORT,
                "responsible_roles": "District WBL office, purchasing",
                "partners": ["Central Career Connect", "Central Valley Workforce Board"],
                "indicators": [
                    {
                        "name": "Intermediary agreement signed",
                        "unit": Unit.MILESTONE,
                        "baseline_value": 0,
                        "baseline_year": 2018,
                        "target_value": 1,
                        "target_date": date(2019, 1, 31),
                        "direction": Direction.ACHIEVE,
                        "data_source": "Board consent agenda",
                        "collection_frequency": Frequency.YEARLY,
                    },
                ],
            },
            {
                "statement": (
                    "Active participation from advisory board members, teachers, counselors, "
                    "administrators, and partner organizations with clear roles and "
                    "responsibilities"
                ),
                "owner": STAFF,
                "topic_area": Topic.GOVERNANCE,
                "continuum_stage": "",
                "horizon": Horizon.LONG,
                "responsible_roles": "Pathway leads, advisory board chairs",
                "partners": ["Central State University", "Central Youth Club"],
                "indicators": [
                    {
                        "name": "Advisory boards meeting quarterly with written roles",
                        "unit": Unit.PERCENT,
                        "baseline_value": 25,
                        "baseline_year": 2018,
                        "target_value": 100,
                        "target_date": JUNE_2021,
                        "direction": Direction.INCREASE,
                        "data_source": "Advisory board minutes",
                        "collection_frequency": Frequency.QUARTERLY,
                    },
                ],
            },
        ],
    },
]

# (email, district slug, role, title, school names, pathway names): the login table's order.
MEMBERSHIPS = [
    (ADMIN, "midtown", Role.ADMIN, "Assistant Superintendent, College and Career", [], []),
    (STAFF, "midtown", Role.STAFF, "WBL Director", [], []),
    (
        COORDINATOR,
        "midtown",
        Role.COORDINATOR,
        "WBL Coordinator, Riverview High School",
        ["Riverview High School"],
        ["Engineering"],
    ),
    (BOARD, "midtown", Role.BOARD, "School Board Trustee", [], []),
    (VIEWER, "midtown", Role.VIEWER, "Counselor, Lakeside High School", [], []),
    (STAFF, "central", Role.STAFF, "Regional WBL Lead", [], []),
    (CENTRAL_ADMIN, "central", Role.ADMIN, "Director of College and Career Pathways", [], []),
]


class Command(BaseCommand):
    help = (
        "Load the demo districts (Midtown and Central), their goal sets and one demo account "
        "per role (password: demo). Safe to run again. Needs DEBUG=true or --force."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even when DEBUG is off (the demo accounts' password is 'demo').",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "load_demo creates accounts whose password is 'demo', so it runs only with "
                "DEBUG=true. Use --force to load the demo anyway (never on a real site)."
            )
        self.created = self.updated = self.unchanged = 0
        with transaction.atomic():
            users = {email: self.user(email, name) for email, name in USERS.items()}
            districts = {}
            for spec, goal_sets in ((MIDTOWN, MIDTOWN_SETS), (CENTRAL, CENTRAL_SETS)):
                districts[spec["slug"]] = self.district(spec, goal_sets, users)
            memberships = [self.membership(users, districts, *row) for row in MEMBERSHIPS]
            # The cycle around the goals, stage by stage; each part is idempotent and moves
            # sets only through cycle.services.
            for part in (approval, communication, monitoring, inventory, stages):
                part.load(by=users[ADMIN])
        if options["verbosity"] > 0:
            self.report(memberships)

    # -- writing -----------------------------------------------------------------------------

    def upsert(self, model, lookup, values=None, *, by, m2m=None):
        """Find the row by `lookup`; create it, or save it when `values`/`m2m` differ.

        Each save is one history row naming `by`; an unchanged row is left alone.
        """
        values = values or {}
        m2m = m2m or {}
        instance = model.objects.filter(**lookup).first()
        adding = instance is None
        if adding:
            instance = model(**lookup)
        changed = adding
        for name, value in values.items():
            field = model._meta.get_field(name)
            if field.is_relation:
                differs = getattr(instance, field.attname) != (value.pk if value else None)
            else:
                differs = getattr(instance, name) != value
            if differs:
                setattr(instance, name, value)
                changed = True
        if not adding:
            for name, rows in m2m.items():
                current = set(getattr(instance, name).values_list("pk", flat=True))
                if current != {row.pk for row in rows}:
                    changed = True
        if not changed:
            self.unchanged += 1
            return instance
        return self.save(instance, by=by, m2m=m2m)

    def save(self, instance, *, by, m2m=None):
        adding = instance._state.adding
        if not adding and hasattr(instance, "row_version"):
            instance.row_version += 1
        instance.full_clean()

        def set_m2m():
            for name, rows in (m2m or {}).items():
                getattr(instance, name).set(rows)

        save_with_history(instance, by=by, set_m2m=set_m2m if m2m else None)
        if adding:
            self.created += 1
        else:
            self.updated += 1
        return instance

    def user(self, email, full_name):
        """A demo account, its password (re)set to `demo` and active."""
        user = User.objects.filter(email=email).first() or User(email=email)
        changed = user._state.adding or user.full_name != full_name or not user.is_active
        if not check_password(DEMO_PASSWORD, user.password):
            user.set_password(DEMO_PASSWORD)
            changed = True
        if not changed:
            self.unchanged += 1
            return user
        user.full_name = full_name
        user.is_active = True
        return self.save(user, by=None)

    def district(self, spec, goal_sets, users):
        by = users[spec["admin"]]
        district = self.upsert(
            District,
            {"slug": spec["slug"]},
            {key: spec[key] for key in ("name", "vision", "mission", "graduate_profile")},
            by=by,
        )
        schools = {
            name: self.upsert(School, {"district": district, "name": name}, by=by)
            for name in spec["schools"]
        }
        pathways = {
            name: self.upsert(
                Pathway,
                {"district": district, "name": name},
                {"school": schools[school] if school else None, "industry_sector": sector},
                by=by,
            )
            for name, school, sector in spec["pathways"]
        }
        partners = {
            name: self.upsert(
                Partner,
                {"district": district, "name": name},
                {"kind": kind, "contact": contact},
                by=by,
            )
            for name, kind, contact in spec["partners"]
        }
        for set_spec in goal_sets:
            self.goal_set(district, set_spec, schools, pathways, partners, users, by)
        return district

    def goal_set(self, district, spec, schools, pathways, partners, users, by):
        goal_set = self.upsert(
            GoalSet,
            {"district": district, "title": spec["title"], "version": 1},
            {
                "level": spec["level"],
                "scope": spec["scope"],
                "school": schools[spec["school"]] if "school" in spec else None,
                "pathway": pathways[spec["pathway"]] if "pathway" in spec else None,
                "stem": spec["stem"],
                "start_year": spec["start_year"],
                "target_year": spec["target_year"],
            },
            by=by,
        )
        for order, goal_spec in enumerate(spec["goals"], start=1):
            goal = self.upsert(
                Goal,
                {"goal_set": goal_set, "statement": goal_spec["statement"]},
                {
                    "order": order,
                    "grade": goal_spec.get("grade", ""),
                    "owner": users[goal_spec["owner"]] if goal_spec["owner"] else None,
                    "topic_area": goal_spec["topic_area"],
                    "continuum_stage": goal_spec["continuum_stage"],
                    "horizon": goal_spec["horizon"],
                    "responsible_roles": goal_spec["responsible_roles"],
                },
                by=by,
                m2m={"responsible_partners": [partners[name] for name in goal_spec["partners"]]},
            )
            for ind_order, ind_spec in enumerate(goal_spec["indicators"], start=1):
                values = {key: value for key, value in ind_spec.items() if key != "name"}
                values.setdefault("milestones", {})
                values["order"] = ind_order
                self.upsert(Indicator, {"goal": goal, "name": ind_spec["name"]}, values, by=by)
        return goal_set

    def membership(self, users, districts, email, slug, role, title, schools, pathways):
        district = districts[slug]
        return self.upsert(
            Membership,
            {"user": users[email], "district": district},
            {"role": role, "title": title},
            by=users[CENTRAL_ADMIN if slug == "central" else ADMIN],
            m2m={
                "schools": list(district.schools.filter(name__in=schools)),
                "pathways": list(district.pathways.filter(name__in=pathways)),
            },
        )

    # -- output ------------------------------------------------------------------------------

    def report(self, memberships):
        out = self.stdout
        out.write(
            f"Demo data loaded ({self.created} rows created, {self.updated} updated, "
            f"{self.unchanged} unchanged)."
        )
        out.write("")
        out.write(f'Demo logins (password for all: "{DEMO_PASSWORD}"):')
        rows = [("email", "role", "district")] + [
            (m.user.email, m.role, m.district.name) for m in memberships
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        rows.insert(1, tuple("-" * width for width in widths))
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
            out.write(("  " + "  ".join(cells)).rstrip())
        out.write("")
        out.write(
            "The coordinator logs progress for Riverview High School and the Engineering "
            "pathway; staff@demo.wbl can switch between Midtown and Central."
        )
        out.write(f"Open {URL} and sign in.")
