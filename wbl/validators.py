"""Validators shared by every app's text fields."""

import re

from django.core.exceptions import ValidationError

# A tag opener: "<" followed by a letter, "/", "!" or "?" (e.g. <script>, </b>, <!--, <?php).
# A plain "<" in prose ("fewer than 10 < 20") is still allowed.
_TAG = re.compile(r"<\s*[a-zA-Z/!?]")


def no_markup(value: str) -> None:
    """Refuse HTML or script in a plain-text field, with a message that says what to change."""
    if value and _TAG.search(value):
        raise ValidationError(
            "Use plain text here: remove the HTML or script tags (text inside < and >).",
            code="markup",
        )
