"""Forms of the stage page: what a person writes when moving a goal set on. The services
check the same rules again; these forms give the message at the field first."""

from django import forms
from django.core.validators import MaxLengthValidator

from wbl.validators import no_markup

REASON_VALIDATORS = [no_markup, MaxLengthValidator(2000)]


def _reason_field(label, *, required, help_text):
    return forms.CharField(
        label=label,
        required=required,
        validators=REASON_VALIDATORS,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        help_text=help_text,
    )


class SubmitForApprovalForm(forms.Form):
    override_reason = _reason_field(
        "Override reason",
        required=False,
        help_text="Needed only while a goal fails the quality check: say why the set should "
        "go to the board as it is. It is kept with the stage history.",
    )


class ReturnToDraftForm(forms.Form):
    reason = _reason_field(
        "Why it goes back to Draft",
        required=True,
        help_text="For example what the board or stakeholders asked to change.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "Say why the set goes back to Draft."


class OpenRevisionForm(forms.Form):
    reason = _reason_field(
        "Why now",
        required=False,
        help_text="For example “two-year review” or “targets met early”.",
    )


class ConfirmForm(forms.Form):
    """A transition with nothing to write: the button is the whole form."""
