"""The board report printed by a real browser (Debian's Chromium, driven by
Playwright): its print stylesheet gives a few clean pages with every section and
no navigation. `make screenshots` keeps its picture in docs/screenshots."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.server.test_browser import (  # the browser and its sign-in, shared
    SCREENSHOTS,
    browser_page,
    csp_violations,
    pytestmark,
    sign_in,
)

__all__ = ["browser_page", "csp_violations", "pytestmark"]


def test_the_report_prints_to_a_few_clean_pages(
    browser_page, live_server, sample_workspace, users, csp_violations
):
    page = browser_page
    sign_in(page, live_server, "viewer")
    page.goto(f"{live_server.url}/cycles/2026-Q3/report/")
    assert page.title() == "Board report 2026-Q3 · Drumbeat"
    page.screenshot(path=str(SCREENSHOTS / "report.png"), full_page=True)
    assert csp_violations == []
    for paper in ("A4", "Letter"):
        reader = PdfReader(io.BytesIO(page.pdf(format=paper, print_background=True)))
        text = "\n".join(p.extract_text() for p in reader.pages)
        assert 3 <= len(reader.pages) <= 6, (paper, len(reader.pages))
        for heading in ("Key KPIs", "Objectives and outcomes", "Exceptions"):
            assert heading in text
        assert "Drumbeat board report · 2026-Q3" in text
        assert "Sign out" not in text
        assert "Download PDF" not in text
