"""Sign-in throttling with django-axes: failures are counted per email address and client address
in the database (so every app server sees the same count), and a locked email gets the sign-in
page again with one message that is the same whether the address belongs to anybody or not.

Settings: AXES_* in wbl/settings.py. An admin lifts a lock early with
`manage.py axes_reset_username EMAIL`.
"""

from django.conf import settings
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from wbl.forms import LoginForm


def throttle_key(request, credentials) -> str | None:
    """The email address as typed, trimmed and lower-cased, so case variants count together."""
    if credentials:
        raw = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        raw = request.POST.get(settings.AXES_USERNAME_FORM_FIELD)
    if not isinstance(raw, str):
        return None
    return raw.strip().lower() or None


def locked_out(request, original_response=None, credentials=None):
    """The sign-in page with the lock-out message, status 429 (Too Many Requests)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    email = request.POST.get("username", "")
    form = LoginForm(request, initial={"username": email[:254]})
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    return render(
        request,
        "registration/login.html",
        {"form": form, "next": next_url, "locked_minutes": minutes},
        status=429,
    )
