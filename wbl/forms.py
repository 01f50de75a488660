"""Form pieces shared by every app: version-checked model forms and conflict display."""

from dataclasses import dataclass

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.contrib.auth.password_validation import validate_password

from wbl.history import EMPTY, display_value
from wbl.models import District, Membership, Partner, Pathway, School, User, is_last_admin
from wbl.validators import no_markup


class VersionedModelForm(forms.ModelForm):
    """A model form that carries the row_version the editor started from."""

    row_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["row_version"].initial = self.instance.row_version

    @property
    def expected_version(self):
        return self.cleaned_data.get("row_version")

    def rebased(self, current):
        """The same submitted values, now based on `current`: saving again keeps them."""
        data = self.data.copy()
        data[self.add_prefix("row_version")] = current.row_version
        return type(self)(data, instance=current, **self._rebase_kwargs())

    def _rebase_kwargs(self):
        return {}


@dataclass
class ConflictRow:
    label: str
    theirs: str
    yours: str


def _submitted_display(form, model_field) -> str:
    if model_field.many_to_many:
        values = form.cleaned_data.get(model_field.name) or []
        return ", ".join(sorted(str(v) for v in values)) or EMPTY
    return display_value(form.instance, model_field)


def conflict_rows(form: VersionedModelForm, current) -> list[ConflictRow]:
    """Each field where the saved row (theirs) differs from what this editor submitted (yours)."""
    rows = []
    meta = form.instance._meta
    for name, bound in form.fields.items():
        if name == "row_version":
            continue
        model_field = meta.get_field(name)
        theirs = display_value(current, model_field)
        yours = _submitted_display(form, model_field)
        if theirs != yours:
            rows.append(ConflictRow(str(bound.label or name).capitalize(), theirs, yours))
    return rows


# -- the district's organisation -------------------------------------------------------------


class DistrictForm(VersionedModelForm):
    class Meta:
        model = District
        fields = ["name", "time_zone", "vision", "mission", "graduate_profile"]
        widgets = {
            "vision": forms.Textarea(attrs={"rows": 3}),
            "mission": forms.Textarea(attrs={"rows": 3}),
            "graduate_profile": forms.Textarea(attrs={"rows": 4}),
        }


class DistrictScopedForm(VersionedModelForm):
    """A form for a row that belongs to the request's district."""

    def __init__(self, *args, district, **kwargs):
        self.district = district
        super().__init__(*args, **kwargs)
        self.instance.district = district
        for name in ("school", "schools"):
            if name in self.fields:
                self.fields[name].queryset = district.schools.all()
        if "pathways" in self.fields:
            self.fields["pathways"].queryset = district.pathways.all()

    def _rebase_kwargs(self):
        return {"district": self.district}

    def validate_unique(self):
        # `district` is not a form field, so ModelForm would skip the per-district name check.
        try:
            self.instance.validate_constraints()
        except forms.ValidationError:
            self.add_error("name", "This district already has one with that name.")


class SchoolForm(DistrictScopedForm):
    class Meta:
        model = School
        fields = ["name"]


class PathwayForm(DistrictScopedForm):
    class Meta:
        model = Pathway
        fields = ["name", "school", "industry_sector"]


class PartnerForm(DistrictScopedForm):
    class Meta:
        model = Partner
        fields = ["name", "kind", "contact"]


class MembershipForm(DistrictScopedForm):
    class Meta:
        model = Membership
        fields = ["role", "title", "schools", "pathways"]
        widgets = {
            "schools": forms.CheckboxSelectMultiple,
            "pathways": forms.CheckboxSelectMultiple,
        }

    def validate_unique(self):
        pass  # one membership per user and district is checked in NewMemberForm

    def clean(self):
        data = super().clean()
        # self.instance still holds the saved role here (the form writes it after clean()).
        if (
            self.instance.pk
            and data.get("role") != Membership.Role.ADMIN
            and is_last_admin(self.instance)
        ):
            self.add_error("role", "The district needs at least one administrator.")
        if data.get("role") != Membership.Role.COORDINATOR and (
            data.get("schools") or data.get("pathways")
        ):
            self.add_error(
                "role", "Only coordinators are limited to schools and pathways; clear them first."
            )
        return data


class NewMemberForm(MembershipForm):
    email = forms.EmailField(help_text="They sign in with this address.")
    full_name = forms.CharField(max_length=150)
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        required=False,
        help_text="Only for a person without an account yet: their first password.",
    )

    field_order = ["email", "full_name", "password", "role", "title", "schools", "pathways"]

    def clean_full_name(self):
        value = self.cleaned_data["full_name"]
        no_markup(value)
        return value

    def clean(self):
        data = super().clean()
        email = (data.get("email") or "").lower()
        self.existing_user = User.objects.filter(email__iexact=email).first() if email else None
        if self.existing_user:
            if Membership.objects.filter(user=self.existing_user, district=self.district).exists():
                self.add_error("email", "This person is already a member of the district.")
        elif email:
            password = data.get("password")
            if not password:
                self.add_error("password", "Set a first password for this new account.")
            else:
                try:
                    validate_password(password)
                except forms.ValidationError as exc:
                    self.add_error("password", exc)
        return data


class LoginForm(AuthenticationForm):
    """Sign in with an email address (the username field, labelled and typed as email)."""

    username = UsernameField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autofocus": True}),
    )
