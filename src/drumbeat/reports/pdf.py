"""The board report as a PDF, laid out on the server by WeasyPrint from the same
HTML and print stylesheet as the page. Nothing is fetched from the network: the
stylesheets come from the static files on disk, and any other address is refused.

WeasyPrint takes seconds to import: it is imported only when a PDF is made."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders

BASE_URL = "https://drumbeat.invalid/"
"""The address the document is laid out at: only its static files are served."""


class NotServedError(Exception):
    """An address the report's PDF does not fetch (anything but a static file)."""


def static_file(url: str) -> tuple[bytes, str]:
    """The content and type of the static file at `url`; NotServedError for any other
    address, so that laying out a PDF never reaches the network."""
    static = BASE_URL + settings.STATIC_URL.lstrip("/")
    name = url.split("?")[0].removeprefix(static) if url.startswith(static) else ""
    found = finders.find(name) if name and ".." not in name else None
    if not isinstance(found, str):
        raise NotServedError(f"Not fetched for the report's PDF: {url}")
    with open(found, "rb") as file:
        body = file.read()
    return body, "text/css" if name.endswith(".css") else "application/octet-stream"


def report_pdf(html: str) -> bytes:
    """The PDF of a report's HTML (`reports/board_report_document.html`)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

    class StaticFilesOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            try:
                body, kind = static_file(url)
            except NotServedError as refused:
                raise URLFetchingError(str(refused)) from refused
            return URLFetcherResponse(url, body=body, headers={"Content-Type": kind})

    pdf = HTML(
        string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly()
    ).write_pdf()
    assert pdf is not None
    return bytes(pdf)
