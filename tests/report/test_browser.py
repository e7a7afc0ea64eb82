"""Both example reports opened in a real browser: headless Chromium, desktop and phone widths.

What a reader sees, checked where only a browser can tell: the page never scrolls sideways
(wide tables and charts scroll inside their own frame), the key findings come first, every
chart image decodes, chart text is at least 9 CSS pixels high, the details open and close,
and the printed report fits on 12 pages of letter or A4 paper.

Chromium and its WebDriver come from Debian's packages ``chromium`` and ``chromium-driver``
(``.ci/run`` installs them); where either is missing the tests are skipped, saying so.
"""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from getting_to_outcomes.reporting._render import MIN_TEXT_PX, readable_width

webdriver = pytest.importorskip(
    "selenium.webdriver", reason="selenium is not installed (pip install -e '.[dev]')")
pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed (pip install -e '.[dev]')")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get "
                       "install chromium chromium-driver; .ci/run does it)"),
    pytest.mark.skipif(CHROMEDRIVER is None, reason="chromedriver is not installed (Debian: "
                       "apt-get install chromium-driver; .ci/run does it)"),
    pytest.mark.filterwarnings("error:constrained_layout not applied:UserWarning"),
    # Whole reports of the example network and a browser: in the full lane only.
    pytest.mark.slow,
]

DESKTOP, PHONE = 1280, 390
WIDTHS = [DESKTOP, PHONE]
#: The issue's limit for a printed report, on letter and on A4 paper.
MAX_PAGES = 12
#: Paper sizes in centimetres (WebDriver's print command takes centimetres).
PAPER = {"letter": (21.59, 27.94), "A4": (21.0, 29.7)}

_CHROME_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--hide-scrollbars", "--force-device-scale-factor=1")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    # Both paths given: Selenium then never tries to download a browser or a driver.
    options.binary_location = CHROMIUM
    for flag in _CHROME_FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(params=["grantee", "funder"])
def report(request: pytest.FixtureRequest) -> Any:
    return request.getfixturevalue(f"example_{request.param}_report")


def _open(browser: Any, page: Path, width: int) -> None:
    browser.set_window_size(width, 900)
    browser.get(page.resolve().as_uri())
    viewport = browser.execute_script("return document.documentElement.clientWidth")
    assert viewport == width, f"the window shows {viewport} px, not the {width} px asked for"


def _open_every_details(browser: Any) -> int:
    return int(browser.execute_script(
        "const all = document.querySelectorAll('details');"
        "all.forEach(d => { d.open = true; }); return all.length;"))


@pytest.mark.parametrize("width", WIDTHS)
def test_the_page_never_scrolls_sideways(browser, report, width) -> None:
    _open(browser, report.html, width)
    assert _open_every_details(browser) > 0
    widths = browser.execute_script(
        "return [document.documentElement.scrollWidth, document.body.scrollWidth];")
    assert max(widths) <= width, f"the page is {max(widths)} px wide in a {width} px window"
    sticking_out = browser.execute_script(
        "const w = document.documentElement.clientWidth;"
        "return Array.from(document.querySelectorAll('main *'))"
        "  .filter(e => !e.closest('.table-wrap, .chart-frame'))"
        "  .filter(e => e.getBoundingClientRect().right > w + 0.5)"
        "  .map(e => e.tagName + (e.id ? '#' + e.id : '') + ' ' + e.className);")
    assert sticking_out == []


def test_at_phone_width_wide_tables_scroll_inside_their_own_box(browser, report) -> None:
    _open(browser, report.html, PHONE)
    _open_every_details(browser)
    frames = browser.execute_script(
        "return Array.from(document.querySelectorAll('.table-wrap')).map(f => "
        "  [f.scrollWidth, f.clientWidth, getComputedStyle(f).overflowX]);")
    assert frames, "the report shows no table"
    wider = [f for f in frames if f[0] > f[1]]
    assert wider, "no table is wider than a phone: this check would prove nothing"
    assert all(overflow in ("auto", "scroll") for _, _, overflow in wider)
    assert all(client <= PHONE for _, client, _ in frames)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_key_findings_come_first(browser, report, width) -> None:
    _open(browser, report.html, width)
    first = browser.execute_script(
        "const s = document.querySelector('main section');"
        "return [s.id, s.querySelector('h2').textContent];")
    assert first == ["findings", "Key findings"]
    findings_top, chart_top = browser.execute_script(
        "return [document.getElementById('findings').getBoundingClientRect().top,"
        "        document.querySelector('figure').getBoundingClientRect().top];")
    assert findings_top < chart_top
    assert browser.execute_script(
        "return document.querySelectorAll('#findings .findings li').length") >= 3


@pytest.mark.parametrize("width", WIDTHS)
def test_every_chart_image_loads_with_text_at_least_9px(browser, report, width) -> None:
    _open(browser, report.html, width)
    _open_every_details(browser)
    images = browser.execute_script(
        "return Array.from(document.images).map(i => "
        "  [i.closest('figure').id, i.complete, i.naturalWidth,"
        "   i.getBoundingClientRect().width]);")
    assert len(images) == len(report.charts)
    broken = [key for key, complete, natural, _ in images if not complete or natural == 0]
    assert broken == []
    for key, _, _, shown in images:
        svg = next(p for p in report.charts[key.removeprefix("chart-")] if p.suffix == ".svg")
        # The smallest text of the chart, at the width it is shown, in CSS pixels.
        needed = readable_width(svg.read_bytes())
        assert shown >= needed - 0.5, (
            f"{key} is shown {shown:.0f} px wide: its smallest text is under "
            f"{MIN_TEXT_PX:g} px below {needed} px")


def test_details_open_and_close(browser, report) -> None:
    _open(browser, report.html, PHONE)
    summary = browser.find_element("css selector", "#details details > summary")
    part = summary.find_element("xpath", "..")
    content = part.find_element("css selector", "figure, .table-wrap, p, ul")
    assert part.get_attribute("open") is None
    assert not content.is_displayed()
    summary.click()
    assert part.get_attribute("open") is not None
    assert content.is_displayed()
    summary.click()
    assert part.get_attribute("open") is None
    assert not content.is_displayed()


def _pages(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_chromium_prints_each_report_on_at_most_12_pages(report, tmp_path) -> None:
    out = tmp_path / "report.pdf"
    done = subprocess.run(
        [CHROMIUM, *_CHROME_FLAGS, "--no-pdf-header-footer", f"--print-to-pdf={out}",
         report.html.resolve().as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    pages = _pages(out.read_bytes())
    assert 1 <= pages <= MAX_PAGES


@pytest.mark.parametrize("paper", sorted(PAPER))
def test_each_report_prints_on_at_most_12_pages_of_letter_or_a4(browser, report,
                                                                 paper) -> None:
    from selenium.webdriver.common.print_page_options import PrintOptions

    _open(browser, report.html, DESKTOP)
    options = PrintOptions()
    options.page_width, options.page_height = PAPER[paper]
    pages = _pages(base64.b64decode(browser.print_page(options)))
    assert 1 <= pages <= MAX_PAGES
