"""Factories for the student WBL experience inventory (students, experiences, rules)."""

import datetime

import factory

from cycle import inventory
from cycle.models import ComputedRule, Experience, Student


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student
        skip_postgeneration_save = True

    # district= is required; school and pathway are optional
    local_id = factory.Sequence(lambda n: f"S{n:06d}")
    grade = 12
    graduation_year = 2026

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.groups.set(extracted)


class ExperienceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Experience

    date = datetime.date(2024, 3, 15)
    reflection_submitted = True


def kind(district, key):
    """One of the district's standard experience kinds, by key (e.g. "internship")."""
    return next(k for k in inventory.experience_kinds(district) if k.key == key)


def group(district, key):
    return next(g for g in inventory.student_groups(district) if g.key == key)


def rule(indicator, experience_kind, **values):
    return ComputedRule.objects.create(indicator=indicator, kind=experience_kind, **values)
