"""The district's public goals page and its printable summary: no login. What they show is
decided in cycle.public."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cycle.pdf import pdf_response, render_pdf
from cycle.public import public_district


@require_GET
def district(request, slug):
    public = public_district(slug)
    return render(request, "cycle/public/district.html", {"public": public})


@require_GET
def summary_pdf(request, slug):
    public = public_district(slug)
    pdf = render_pdf(
        "pdf/public_summary.html",
        {"public": public, "district": public, "today": timezone.localdate()},
    )
    return pdf_response(pdf, f"{public.slug}-wbl-goals.pdf")
