"""Browser fixtures and checks shared by every app's end-to-end tests.

Debian's Chromium is driven by Playwright's sync API, and axe-core (bundled
with axe-playwright-python) checks each page against WCAG 2.0/2.1 A and AA.
A test module loads the fixtures as a plugin and imports the helpers::

    pytest_plugins = ["lotse.core.tests.e2e"]
    from lotse.core.tests.e2e import assert_accessible

The module imports no domain app, so the kernel's layering holds. Its asserts
carry their own messages, so pytest need not rewrite it: PYTEST_DONT_REWRITE
(which also spares the "already imported" warning when it is loaded as a plugin).
"""

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import translation
from django.utils.functional import Promise
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
TIMEOUT_MS = 10_000

_axe = Axe()

PageOpener = Callable[..., Page]


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Browser]:
    """One headless Chromium per module; starting it is the slow part.

    Playwright's sync API keeps an event loop running in the main thread, which
    makes Django refuse database access there (the test's own fixtures and the
    flush after each live-server test), hence DJANGO_ALLOW_ASYNC_UNSAFE.
    A developer machine without Debian's Chromium skips the journeys; CI
    (``CI=true``) installs it and fails instead of skipping.
    """
    if not os.path.exists(CHROMIUM) and os.environ.get("CI") != "true":
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium chromium-driver")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield chromium
            chromium.close()


@pytest.fixture
def open_page(chromium_browser: Browser, live_server: Any) -> Iterator[PageOpener]:
    """Open pages in fresh contexts on the live server; ``open_page(java_script_enabled=False)``.

    Each context is a new visitor (no cookies) whose browser asks for German.
    """
    contexts: list[BrowserContext] = []

    def opener(**context_options: Any) -> Page:
        options = {"base_url": live_server.url, "locale": "de-DE", **context_options}
        context = chromium_browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield opener
    for context in contexts:
        context.close()


@pytest.fixture
def browser_page(open_page: PageOpener) -> Page:
    """A page for a new visitor with JavaScript on."""
    return open_page()


def assert_accessible(page: Page) -> None:
    """Fail on every serious or critical WCAG 2.0/2.1 A/AA violation axe-core finds."""
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    violations = _axe.run(page, options=options).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} – "
        + "; ".join(", ".join(map(str, node["target"])) for node in v["nodes"])
        for v in blocking
    )
    assert not blocking, f"axe-core found on {page.url}:\n{report}"


def in_language(language: str, text: str | Promise) -> str:
    """A msgid or lazy label as ``language`` shows it: the catalogue's text, or the msgid."""
    with translation.override(language):
        return str(text) if isinstance(text, Promise) else translation.gettext(text)
