"""PDFs (WeasyPrint) that fetch nothing but the app's own static files.

Templates link stylesheets and images with `{% static %}`; the document's base URL is a
private origin, and the URL fetcher serves `<origin>/static/...` from the static files on
disk. Every other URL (file:, http(s): to any host, data:, ...) is refused and recorded, so
user text that smuggles in an <img> or <link> shows as text or not at all, never fetched.
Charts are inline SVG elements made by the server, so no data: URL is needed.

Limits: the parent (the web worker) does the database work and the template; WeasyPrint runs in
a forked child process with a wall-clock limit (settings.PDF_TIME_LIMIT_SECONDS, the child is
killed when it is up; RLIMIT_CPU as a backstop should the parent die first) and an
address-space limit (RLIMIT_AS: the worker's own size at the fork plus
settings.PDF_MEMORY_LIMIT_MB). The child sends the PDF back through a pipe and leaves with
os._exit, so it never closes the worker's database connection or runs its exit handlers. A
limit that is hit raises PdfLimitExceeded; the worker itself carries on, and the PDF views
answer with `limit_page` (a page that says what to do instead) rather than an error.
"""

import faulthandler
import gc
import json
import logging
import math
import mimetypes
import os
import posixpath
import resource
import select
import signal
import time
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.shortcuts import render
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


class PdfLimitExceeded(Exception):
    """The renderer hit its time limit ("time") or its memory limit ("memory")."""

    def __init__(self, limit: str, detail: str):
        super().__init__(f"PDF {limit} limit: {detail}")
        self.limit = limit
        self.detail = detail


class PdfRenderError(RuntimeError):
    """The renderer failed for another reason (the child's error, as text)."""


def render_pdf(template_name: str, context: dict, *, fetcher=None) -> bytes:
    """Render a template to a tagged (PDF/UA-1), US Letter PDF. The template sets the
    document title (<title>) and language (<html lang>) and its page size in CSS.

    The template is rendered here (database work stays in this process); WeasyPrint runs in a
    child process under the settings' time and memory limits (PdfLimitExceeded)."""
    html = render_to_string(template_name, context)
    fetcher = fetcher or StaticOnlyFetcher()
    warm_up()
    return write_pdf_limited(
        html,
        fetcher,
        time_limit=settings.PDF_TIME_LIMIT_SECONDS,
        memory_limit_mb=settings.PDF_MEMORY_LIMIT_MB,
    )


_warm = False


def warm_up():
    """Once per process: render a tiny fixed document here, so that the fonts and WeasyPrint's
    caches are loaded in the worker and every child starts with them (about 0.25 s less per
    PDF; the worker stays single-threaded)."""
    global _warm
    if not _warm:
        write_pdf('<html lang="en"><title>-</title><p>-</p></html>', StaticOnlyFetcher())
        _warm = True


def write_pdf(html: str, fetcher) -> bytes:
    """WeasyPrint in this process, without limits (the child's work; benchmarks)."""
    document = HTML(string=html, base_url=ORIGIN + "/", url_fetcher=fetcher)
    return document.write_pdf(pdf_variant="pdf/ua-1")


# What the child sends: one line of JSON, then (on success) exactly `size` bytes of PDF.
_MEMORY_EXIT = 3
_ERROR_EXIT = 4
# A render that failed this close to its address-space limit failed for want of memory (what
# could not be had may have been a whole block, such as a thread's 8 MB stack).
_NEAR_LIMIT = 64 * 2**20
# How C libraries that cannot allocate tend to stop (GLib's g_error traps: SIGTRAP).
_CRASH_SIGNALS = {
    signal.SIGSEGV,
    signal.SIGABRT,
    signal.SIGBUS,
    signal.SIGTRAP,
    signal.SIGILL,
    signal.SIGKILL,
}


def write_pdf_limited(html: str, fetcher, *, time_limit: float, memory_limit_mb: int) -> bytes:
    """`write_pdf` in a forked child, killed after `time_limit` seconds and refused address
    space beyond its size at the fork plus `memory_limit_mb`. The fetcher's `served` and
    `refused` lists (StaticOnlyFetcher) come back from the child as if it had run here."""
    read_end, write_end = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(html, fetcher, write_end, time_limit, memory_limit_mb)
    os.close(write_end)
    deadline = started + time_limit
    data = b""
    try:
        data = _read_until(read_end, deadline)
    finally:
        os.close(read_end)
        status, killed = _reap(pid, deadline)
    elapsed = time.monotonic() - started
    if killed:
        raise PdfLimitExceeded("time", f"not done after {time_limit:g} s")
    return _outcome(data, status, fetcher, elapsed, time_limit, memory_limit_mb)


PDF_NICENESS = 10


def _child(html, fetcher, fd, time_limit, memory_limit_mb):
    """Render and send; leave with os._exit whatever happens (no exit handlers, no database
    connection closed, no buffered output of the worker flushed twice)."""
    code = _ERROR_EXIT
    try:
        # The worker's objects are the worker's: garbage it has not collected yet (a
        # temporary file, a connection) must not be finalised here.
        gc.freeze()
        faulthandler.disable()  # a crash at the memory limit is expected, not worth a dump
        for number in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT, signal.SIGHUP):
            signal.signal(number, signal.SIG_DFL)  # not the web server's handlers
        # Below the pages in the CPU queue: a PDF takes seconds, a page a few milliseconds, so
        # a busy server keeps answering pages while packets render (measured: tests/load).
        os.nice(PDF_NICENESS)
        cpu = math.ceil(time_limit) + 1  # a backstop: the parent kills it at time_limit
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        limit = _address_space() + memory_limit_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            pdf = write_pdf(html, fetcher)
        except MemoryError:
            code = _MEMORY_EXIT
            _send(fd, {"status": "memory"})
        except Exception as exc:  # any renderer failure goes back to the parent as text
            # Out of address space, C code fails in many ways (e.g. cffi's SystemError).
            if _peak_address_space() + _NEAR_LIMIT >= limit:
                code = _MEMORY_EXIT
                _send(fd, {"status": "memory"})
            else:
                _send(fd, {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:2000]})
        else:
            header = {
                "status": "ok",
                "size": len(pdf),
                "served": list(getattr(fetcher, "served", [])),
                "refused": list(getattr(fetcher, "refused", [])),
            }
            _send(fd, header, pdf)
            code = 0
    except MemoryError:
        code = _MEMORY_EXIT
    except BaseException:  # noqa: BLE001 (the child must reach os._exit)
        code = _ERROR_EXIT
    finally:
        os._exit(code)


def _address_space() -> int:
    """This process's virtual size now, in bytes (Linux)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[0]) * resource.getpagesize()


def _peak_address_space() -> int:
    """This process's largest virtual size so far, in bytes (Linux)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024
    return 0


def _send(fd, header: dict, body: bytes = b""):
    view = memoryview(json.dumps(header).encode() + b"\n" + body)
    while view:
        view = view[os.write(fd, view) :]


def _read_until(fd, deadline: float) -> bytes:
    """Everything the child writes until it closes the pipe or the deadline passes."""
    chunks = []
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    while (remaining := deadline - time.monotonic()) > 0:
        if poller.poll(math.ceil(remaining * 1000)):
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


def _reap(pid: int, deadline: float) -> tuple[int, bool]:
    """The child's wait status, and whether it had to be killed: a child that has closed the
    pipe is about to exit and gets until the deadline to do so; then it is killed."""
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status, False
        if time.monotonic() >= deadline:
            os.kill(pid, signal.SIGKILL)  # not reaped yet, so the pid is still this child's
            return os.waitpid(pid, 0)[1], True
        time.sleep(0.002)


def _outcome(data, status, fetcher, elapsed, time_limit, memory_limit_mb) -> bytes:
    header, _, body = data.partition(b"\n")
    try:
        message = json.loads(header) if header else {}
    except ValueError:
        message = {}
    kind = message.get("status")
    if kind == "ok" and len(body) == message.get("size") and os.waitstatus_to_exitcode(status) == 0:
        for name in ("served", "refused"):
            if isinstance(getattr(fetcher, name, None), list):
                setattr(fetcher, name, message[name])
        return body
    code = os.waitstatus_to_exitcode(status)
    memory = f"more than {memory_limit_mb} MB of address space"
    if kind == "memory" or code == _MEMORY_EXIT:
        raise PdfLimitExceeded("memory", memory)
    if code == -signal.SIGXCPU:
        raise PdfLimitExceeded("time", f"more than {time_limit:g} s of CPU time")
    if code < 0 and -code in _CRASH_SIGNALS:
        # A C library that cannot allocate aborts, traps or crashes rather than raising.
        raise PdfLimitExceeded(
            "memory", f"{memory} (renderer stopped by {signal.Signals(-code).name})"
        )
    error = message.get("error") or f"renderer exited with status {code}"
    raise PdfRenderError(f"{error} after {elapsed:.1f} s")


def limit_page(request, error: PdfLimitExceeded, *, document: str, subject: str, instead):
    """The page a PDF view answers with when its document hit a limit: what happened and
    what to do instead (`instead`: (text, url or None) pairs). Status 503: the request was
    fine and the content is valid, but this server will not make it within its limits (5xx:
    not the person's fault; retrying later can help when the time limit was hit because the
    server was busy). Logged as a warning with the limit, the path and the user."""
    user = getattr(request, "user", None)
    who = user.get_username() if user is not None and user.is_authenticated else "anonymous"
    logger.warning(
        "PDF too large: %s limit hit (%s) for %s %s by %s",
        error.limit,
        error.detail,
        document,
        request.path,
        who,
    )
    context = {
        "document": document,
        "subject": subject,
        "limit": error.limit,
        "instead": instead,
        "time_limit": settings.PDF_TIME_LIMIT_SECONDS,
    }
    return render(request, "cycle/pdf_too_large.html", context, status=503)


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in filename)[:120]
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
