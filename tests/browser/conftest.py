"""Browser fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

Playwright's own browser download cannot work here, so the tests launch /usr/bin/chromium.
Without it the tests skip locally and fail on CI (where CI is set), so a broken CI image
cannot pass silently.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# there unless told it is safe (the live server's database work happens in its own thread).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
NO_CHROMIUM = "Chromium not installed: apt-get install chromium"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser():
    if not (CHROMIUM.exists() and shutil.which(str(CHROMIUM))):
        if os.environ.get("CI"):
            pytest.fail(f"{NO_CHROMIUM} (CI is set, so this is a failure, not a skip)")
        print(NO_CHROMIUM)
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser, live_server, transactional_db):
    """Open browser contexts on the live server; all are closed after the test."""
    contexts = []

    def _new_context(**kwargs):
        context = browser.new_context(base_url=live_server.url, **kwargs)
        context.set_default_timeout(TIMEOUT_MS)
        context.javascript_enabled = kwargs.get("java_script_enabled", True)
        contexts.append(context)
        return context

    yield _new_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture(scope="session")
def axe():
    # axe-core's script ships inside axe_playwright_python: nothing is fetched.
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def _axe_page(page, new_context):
    """The page to run axe on.

    axe-core needs the page's JavaScript (its run() waits on timers), so for a page in a
    context without JavaScript, the exact HTML that page received is served again, at the
    same address and with the same stylesheet, in a context with JavaScript.
    """
    if getattr(page.context, "javascript_enabled", True):
        return page
    url = page.url.split("#", 1)[0]
    html = page.content()
    mirror = new_context().new_page()
    mirror.route(
        lambda u: u.split("#", 1)[0] == url,
        lambda route: route.fulfill(body=html, content_type="text/html; charset=utf-8"),
    )
    mirror.goto(url)
    return mirror


@pytest.fixture
def assert_accessible(axe, new_context):
    """Run axe-core on the page as it is now and fail on any violation."""

    def _check(page, what=""):
        target = _axe_page(page, new_context)
        violations = axe.run(target).response["violations"]
        if target is not page:
            target.close()
        lines = []
        for v in violations:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
            for node in v["nodes"]:
                target_nodes = ", ".join(map(str, node["target"]))
                lines.append(f"    {target_nodes}: {node['html'][:200]}")
        where = f"{what} ({page.url})" if what else page.url
        message = f"axe: {len(violations)} violation(s) on {where}:\n" + "\n".join(lines)
        assert [v["id"] for v in violations] == [], message

    return _check


@pytest.fixture
def sign_in():
    """Sign in through the real login form, as a person would."""

    def _sign_in(page, user, password="pw"):
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return _sign_in
