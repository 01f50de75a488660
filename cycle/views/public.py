"""The district's public goals page and its printable summary: no login. What they show is
decided in cycle.public."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET

from cycle.pdf import PdfLimitExceeded, limit_page, pdf_response, render_pdf
from cycle.public import public_district, public_page_mark

# The goals part of the public page is cached per app server under the mark of its data
# (cycle.public.public_page_mark), so it is rebuilt after a publication, adoption or profile
# change; the time limit bounds anything that bypasses the app (the Django admin).
PUBLIC_PAGE_CACHE_SECONDS = 600


@require_GET
def district(request, slug):
    name, mark = public_page_mark(slug)
    context = {
        "name": name,
        "slug": slug,
        "mark": mark,
        "cache_seconds": PUBLIC_PAGE_CACHE_SECONDS,
        # Read from the database only when the cached part has to be rendered again.
        "public": SimpleLazyObject(lambda: public_district(slug)),
    }
    return render(request, "cycle/public/district.html", context)


@require_GET
def summary_pdf(request, slug):
    public = public_district(slug)
    try:
        pdf = render_pdf(
            "pdf/public_summary.html",
            {
                "public": public,
                "district": public,
                "today": timezone.localdate(timezone=public.zone),
            },
        )
    except PdfLimitExceeded as exc:
        return limit_page(
            request,
            exc,
            document="summary",
            subject=public.name,
            instead=[
                ("Read the goals on the public page", reverse("public:district", args=[slug]))
            ],
        )
    return pdf_response(pdf, f"{public.slug}-wbl-goals.pdf")
