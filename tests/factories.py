import datetime

import factory

from goals.models import Goal, GoalSet, Indicator
from wbl.models import District, Membership, Partner, Pathway, School, User


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"District {n}")
    slug = factory.Sequence(lambda n: f"district-{n}")
    vision = "Every student graduates ready for college and career."


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"School {n}")


class PathwayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pathway

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Pathway {n}")
    industry_sector = "Engineering"


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"Partner {n}")
    kind = Partner.Kind.EMPLOYER


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    district = factory.SubFactory(DistrictFactory)
    role = Membership.Role.STAFF


class GoalSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoalSet

    district = factory.SubFactory(DistrictFactory)
    level = GoalSet.Level.SYSTEM
    title = factory.Sequence(lambda n: f"Goal set {n}")
    stem = "By 2020, the district will expand its WBL system to ensure that:"
    start_year = 2017
    target_year = 2020


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    goal_set = factory.SubFactory(GoalSetFactory)
    statement = factory.Sequence(lambda n: f"Goal statement {n}")
    order = factory.Sequence(lambda n: n + 1)
    topic_area = Goal.TopicArea.OPPORTUNITIES


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    goal = factory.SubFactory(GoalFactory)
    name = factory.Sequence(lambda n: f"Indicator {n}")
    unit = Indicator.Unit.PERCENT
    baseline_value = 20
    baseline_year = 2017
    target_value = 50
    target_date = datetime.date(2020, 6, 30)
    order = factory.Sequence(lambda n: n + 1)
