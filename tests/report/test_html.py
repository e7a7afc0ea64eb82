"""report.html: self-contained, escaped, accessible, readable narrow and on paper."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import pytest

from getting_to_outcomes import write_report

from .conftest import FORMULA_NAME, SCRIPT_NAME, SECRET, make_summary, parse_page

_URL = re.compile(r"^\s*(https?:|ftp:|//|file:)", re.IGNORECASE)


@pytest.fixture(scope="module")
def grantee_page(framework, tmp_path_factory):
    # Written once for the module: every test below reads the same page.
    hostile = make_summary(framework, alpha=SCRIPT_NAME, beta=FORMULA_NAME)
    out = tmp_path_factory.mktemp("report") / "out"
    files = write_report(hostile, out, org=SCRIPT_NAME, synthetic=True)
    return files, files.html.read_text(encoding="utf-8")


def test_every_chart_is_embedded_as_an_image(grantee_page) -> None:
    files, html = grantee_page
    images = [attrs for tag, attrs in parse_page(html).tags if tag == "img"]
    assert len(images) == len(files.charts) > 0
    for attrs in images:
        head, _, payload = attrs["src"].partition(",")
        assert head == "data:image/svg+xml;base64"
        root = ET.fromstring(base64.b64decode(payload))
        assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_png_can_be_embedded_instead(summary, tmp_path) -> None:
    files = write_report(summary, tmp_path / "out", org="Alpha", embed="png")
    images = [a for t, a in parse_page(files.html.read_text()).tags if t == "img"]
    for attrs in images:
        head, _, payload = attrs["src"].partition(",")
        assert head == "data:image/png;base64"
        assert base64.b64decode(payload)[:8] == b"\x89PNG\r\n\x1a\n"


def test_nothing_is_fetched_from_the_network(grantee_page) -> None:
    _, html = grantee_page
    page = parse_page(html)
    for tag, attrs in page.tags:
        assert tag not in ("script", "link", "iframe", "object", "embed", "base")
        for name, value in attrs.items():
            if name in ("src", "href", "action", "srcset", "poster", "data") and value:
                assert not _URL.match(value), (tag, name, value[:60])
    assert "url(" not in "".join(page.styles)
    assert "@import" not in "".join(page.styles)


def test_a_hostile_organization_name_is_shown_as_text_only(grantee_page) -> None:
    _, html = grantee_page
    page = parse_page(html)
    assert SCRIPT_NAME in "".join(page.text)
    assert not [tag for tag, _ in page.tags if tag == "script"]
    assert "<script>" not in html


def test_each_image_has_alt_text_made_from_its_data(grantee_page) -> None:
    _, html = grantee_page
    page = parse_page(html)
    images = [attrs for tag, attrs in page.tags if tag == "img"]
    alts = [attrs["alt"] or "" for attrs in images]
    assert all(len(alt) > 30 for alt in alts)
    # The before/after chart names the values it shows.
    assert any("2.50 → 3.10" in alt for alt in alts)
    # Each image points at a longer description in words.
    ids = {attrs.get("id") for _, attrs in page.tags}
    assert all(attrs["aria-describedby"] in ids for attrs in images)


def test_a_withheld_value_appears_nowhere_in_the_page(grantee_page) -> None:
    _, html = grantee_page
    assert str(SECRET) not in html


def test_the_page_reads_in_a_narrow_window_and_prints(grantee_page) -> None:
    _, html = grantee_page
    page = parse_page(html)
    metas = [attrs for tag, attrs in page.tags if tag == "meta"]
    assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in metas
    css = "".join(page.styles)
    assert "@media print" in css
    assert "@media (max-width" in css
    assert "max-width: 100%" in css


def test_the_page_says_the_data_are_synthetic(grantee_page) -> None:
    _, html = grantee_page
    assert "Synthetic data." in "".join(parse_page(html).text)


def test_the_contents_link_to_sections_of_the_page(grantee_page) -> None:
    _, html = grantee_page
    page = parse_page(html)
    ids = {attrs.get("id") for _, attrs in page.tags}
    links = [attrs["href"] for tag, attrs in page.tags if tag == "a" and attrs.get("href")]
    internal = [link for link in links if link.startswith("#")]
    assert internal
    assert all(link[1:] in ids for link in internal)


def test_the_page_declares_its_language_and_encoding(grantee_page) -> None:
    _, html = grantee_page
    page = parse_page(html)
    assert ("html", {"lang": "en"}) in page.tags
    assert ("meta", {"charset": "utf-8"}) in page.tags
