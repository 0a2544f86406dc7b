"""Open a local page in Debian's Chromium with no network, and run axe-core on it.

Not a test module: tests import it. Chromium is the system's (/usr/bin/chromium, via Playwright,
never a browser download); axe-core is the copy vendored in tests/vendor/axe-core (never fetched).
Every request that is not for a local file is refused and recorded, so a page that needs the
internet shows it: `Page.blocked` lists what it tried to load.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = Path(os.environ.get("BOARDPACK_CHROMIUM", "/usr/bin/chromium"))
AXE_VERSION = "4.14.1"
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe's tags for them)
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Chromium as root needs --no-sandbox; the rest keep it from reaching out on its own.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class Violation:
    rule: str
    impact: str | None
    help: str
    targets: list[str]

    def __str__(self) -> str:
        return f"{self.rule} ({self.impact}): {self.help} at {', '.join(self.targets[:5])}"


@dataclass
class OfflinePage:
    page: object  # playwright Page
    blocked: list[str] = field(default_factory=list)

    def axe(self, tags: list[str] | None = None) -> list[Violation]:
        """axe-core's violations of the given rule tags (default: WCAG 2.2 A and AA)."""
        self.page.add_script_tag(path=str(AXE_SCRIPT))
        result = self.page.evaluate(
            """async (tags) => await axe.run(document, {
                runOnly: {type: 'tag', values: tags},
                resultTypes: ['violations'],
            })""",
            tags or WCAG_22_AA,
        )
        return [
            Violation(
                v["id"],
                v.get("impact"),
                v["help"],
                [", ".join(map(str, node["target"])) for node in v["nodes"]],
            )
            for v in result["violations"]
        ]

    def text(self) -> str:
        return self.page.inner_text("body")


@contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def offline_page(browser, path: Path, width: int = 1280, height: int = 900):
    """The page at `path` (a local file) in a fresh context with networking refused."""
    context = browser.new_context(viewport={"width": width, "height": height})
    blocked: list[str] = []

    def route(request_route) -> None:
        url = request_route.request.url
        if url.startswith(("file://", "data:", "about:")):
            request_route.continue_()
        else:
            blocked.append(url)
            request_route.abort("internetdisconnected")

    context.route("**/*", route)
    context.set_offline(True)
    page = context.new_page()
    try:
        page.goto(Path(path).resolve().as_uri(), wait_until="load")
        yield OfflinePage(page, blocked)
    finally:
        context.close()
