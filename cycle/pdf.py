"""PDFs (WeasyPrint) that fetch nothing but the app's own static files.

Templates link stylesheets and images with `{% static %}`; the document's base URL is a
private origin, and the URL fetcher serves `<origin>/static/...` from the static files on
disk. Every other URL (file:, http(s): to any host, data:, ...) is refused and recorded, so
user text that smuggles in an <img> or <link> shows as text or not at all, never fetched.
Charts are inline SVG elements made by the server, so no data: URL is needed.
"""

import logging
import mimetypes
import posixpath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

ORIGIN = "https://wbl-goals.pdf.invalid"


class StaticOnlyFetcher(URLFetcher):
    def __init__(self):
        super().__init__(timeout=1, allow_redirects=False)
        self.refused: list[str] = []
        self.served: list[str] = []

    def fetch(self, url, headers=None):
        path = self._static_path(url)
        if path is None:
            self.refused.append(url)
            logger.warning("PDF renderer refused to fetch %s", url[:200])
            raise ValueError(f"PDF renderer fetches only the app's static files, not {url[:80]}")
        found = finders.find(path)
        if not found:
            self.refused.append(url)
            raise ValueError(f"No static file {path}")
        with open(found, "rb") as handle:
            body = handle.read()
        self.served.append(url)
        content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})

    @staticmethod
    def _static_path(url: str) -> str | None:
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != ORIGIN or parts.query:
            return None
        prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        if not parts.path.startswith(prefix):
            return None
        relative = posixpath.normpath(unquote(parts.path[len(prefix) :]))
        if relative.startswith(("..", "/")) or "\\" in relative or "\x00" in relative:
            return None
        return relative


def render_pdf(template_name: str, context: dict, *, fetcher=None) -> bytes:
    """Render a template to a tagged (PDF/UA-1), US Letter PDF. The template sets the
    document title (<title>) and language (<html lang>) and its page size in CSS."""
    html = render_to_string(template_name, context)
    fetcher = fetcher or StaticOnlyFetcher()
    document = HTML(string=html, base_url=ORIGIN + "/", url_fetcher=fetcher)
    return document.write_pdf(pdf_variant="pdf/ua-1")


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in filename)[:120]
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
