"""Middleware of the project: the content security policy on every response, and one log line
on `wbl.security` for every request an authenticated person was refused.

Django 5.2 has no content security policy of its own (6.0 brings `SECURE_CSP`); ours is one
fixed header, so a few lines here are simpler than a library. Every script and style comes from
our own static files (htmx included), so the policy needs no nonce and no 'unsafe-inline'.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

security_log = logging.getLogger("wbl.security")


class ContentSecurityPolicyMiddleware:
    """Add `settings.CONTENT_SECURITY_POLICY` to every response that has none of its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class FailedAuthorisationLogMiddleware:
    """Log an authenticated person's 403 (role or frozen set) and 404 (another district's object,
    or a district they are not a member of) raised by a view, before Django turns it into a page.

    Unknown URLs (no view) and anonymous visitors are not logged here: they are noise, and an
    anonymous request to a district page is sent to the sign-in page instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, PermissionDenied | Http404):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        status = 403 if isinstance(exception, PermissionDenied) else 404
        security_log.warning(
            "%s refused: user %s (%s) %s %s at %s",
            status,
            user.pk,
            user.get_username(),
            request.method,
            request.path,
            timezone.now().isoformat(timespec="seconds"),
            extra={"status_code": status, "user_id": user.pk},
        )
        return None
