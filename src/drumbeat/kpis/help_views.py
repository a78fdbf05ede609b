"""The help page: the glossary every tooltip quotes, with its reasoning."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from drumbeat.core.glossary import SECTIONS


def help_page(request: HttpRequest) -> HttpResponse:
    """What the badges, colours and rules mean; each term at its own anchor
    (`/help/#watch`). Any signed-in person reads it."""
    return render(request, "kpis/help.html", {"sections": SECTIONS})
