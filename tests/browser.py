"""A real browser for the web page's tests: Debian's chromium, driven headless through
chromium-driver (Selenium), with axe-core (npm, installed by `.ci/run` into `.ci/node_modules`)
injected into the page.

CI installs all three, so a missing one fails there. Locally, `BRIEFGEN_SKIP_BROWSER=1` turns
the browser tests into skips; nothing else does.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / ".ci" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SKIP_VARIABLE = "BRIEFGEN_SKIP_BROWSER"


def missing() -> str:
    """What the browser tests lack on this machine ('' when nothing)."""
    lacking = [
        name
        for name, found in (
            ("chromium (apt-get install chromium)", shutil.which("chromium")),
            ("chromium-driver (apt-get install chromium-driver)", shutil.which("chromedriver")),
            ("axe-core (npm ci --prefix .ci)", AXE.is_file()),
        )
        if not found
    ]
    return ", ".join(lacking)


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless chromium session; quit (and its processes ended) on the way out."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(shutil.which("chromium"))
    for arg in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root in a container, where chromium's sandbox cannot start
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--lang=en-GB",
    ):
        options.add_argument(arg)
    # The driver named explicitly: Selenium Manager never goes looking on the network.
    service = Service(executable_path=str(shutil.which("chromedriver")))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        yield driver
    finally:
        driver.quit()


def open_page(driver: Any, page: Path, width: int, height: int = 900) -> None:
    """Load `page` into a viewport `width` CSS pixels wide (a phone's when narrow)."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.get(page.resolve().as_uri())


def horizontal_overflow(driver: Any) -> dict[str, Any]:
    """How far the page is wider than its viewport, and the widest elements poking out."""
    result: dict[str, Any] = driver.execute_script(
        """
        const vw = document.documentElement.clientWidth;
        const out = [];
        for (const el of document.querySelectorAll('body *')) {
          const r = el.getBoundingClientRect();
          if (r.width && r.right > vw + 0.5) {
            let clipped = false;  // inside a box that scrolls on its own (a wide table)
            for (let p = el.parentElement; p; p = p.parentElement) {
              const o = getComputedStyle(p).overflowX;
              if (o === 'auto' || o === 'scroll' || o === 'hidden') { clipped = true; break; }
            }
            if (!clipped) out.push(el.tagName.toLowerCase() + '.' + el.className + ' right=' + Math.round(r.right));
          }
        }
        return {viewport: vw, scrollWidth: document.documentElement.scrollWidth, elements: out.slice(0, 10)};
        """
    )
    return result


def run_axe(driver: Any) -> dict[str, Any]:
    """axe-core on the loaded page, WCAG 2.1 A and AA rules only: its violations, the rules
    that passed, and its version."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    raw = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
          .then(r => done(JSON.stringify({
              version: axe.version,
              violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                  nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary)})),
              passes: r.passes.map(p => p.id)})))
          .catch(e => done(JSON.stringify({error: String(e)})));
        """,
        WCAG_TAGS,
    )
    result: dict[str, Any] = json.loads(raw)
    return result


def screenshot(driver: Any, page: Path, width: int, target: Path) -> None:
    """The whole page, `width` CSS pixels wide, as a PNG."""
    open_page(driver, page, width)
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    open_page(driver, page, width, height)
    target.write_bytes(driver.get_screenshot_as_png())


def should_skip() -> bool:
    return os.environ.get(SKIP_VARIABLE) == "1"
