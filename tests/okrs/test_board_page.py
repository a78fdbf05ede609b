"""The cycle board as people read it: score bars whose fill is the score, KR
kinds and weights, a team per collapsible section, the grade and kind filters,
and only the buttons the person may use; the objective page's ids unique."""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from drumbeat.kpis.models import KPIStatus
from drumbeat.okrs.models import KeyResult, Objective
from tests.conftest import client_for, words

BOARD = "/cycles/2026-Q3/"


class _Meters(HTMLParser):
    """Each <meter>'s attributes, with any text written inside it; and every id."""

    def __init__(self) -> None:
        super().__init__()
        self.meters: list[dict[str, str | None]] = []
        self.inside: list[str] = []
        self.ids: list[str] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        if tag == "meter":
            self.meters.append(found)
            self._open = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "meter":
            self._open = False

    def handle_data(self, data: str) -> None:
        if self._open and data.strip():
            self.inside.append(data)


def _parsed(page: str) -> _Meters:
    parser = _Meters()
    parser.feed(page)
    return parser


def _page(users, role: str = "viewer", url: str = BOARD) -> str:
    response = client_for(users[role]).get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def scored(small_workspace, users):
    """`happier` at 57 % (yellow) with csat-up at 50 % (weight 2) and
    churn-down at 87 % (a sustain KR)."""
    Objective.objects.filter(key="happier").update(score=0.57)
    KeyResult.objects.filter(key="csat-up").update(score=0.5, weight=2)
    KeyResult.objects.filter(key="churn-down").update(score=0.87, kind="sustain")
    return users


@pytest.mark.parametrize("score", [0.0, 0.21, 0.5, 0.57, 0.59, 0.87, 1.0])
def test_a_score_bar_s_fill_is_the_score(small_workspace, users, score):
    KeyResult.objects.filter(key="csat-up").update(score=score)
    page = _page(users)
    row = page[page.index('data-kr="csat-up"') : page.index('data-kr="churn-down"')]
    (meter,) = _parsed(row).meters
    assert (meter["min"], meter["max"]) == ("0", "1")
    assert float(meter["value"] or "nan") == pytest.approx(score)


def test_a_score_bar_s_words_sit_beside_the_bar_never_inside(scored):
    parsed = _parsed(_page(scored))
    assert [meter["value"] for meter in parsed.meters] == ["0.57", "0.5", "0.87"]
    assert parsed.inside == []
    assert '<span class="scorebar-label">50% · yellow</span>' in _page(scored)


def test_an_overshoot_fills_the_bar_and_no_more(small_workspace, users):
    KeyResult.objects.filter(key="csat-up").update(score=1.3)
    assert 'value="1"' in _page(users)


def test_the_board_shows_each_kr_s_kind_and_weight(scored):
    page = _page(scored)
    assert '<td data-label="kind" data-kind="change">' in page
    assert "change" in words(page.split('data-kind="change">')[1].split("</td>")[0])
    assert '<td data-label="kind" data-kind="sustain">' in page
    assert "sustain" in words(page.split('data-kind="sustain">')[1].split("</td>")[0])
    assert '<td data-label="weight" class="num" data-weight>2</td>' in page
    assert '<td data-label="weight" class="num" data-weight>1</td>' in page


def test_each_team_is_a_section_open_until_folded(scored):
    page = _page(scored)
    assert '<details class="board-team" open>' in page
    assert "<summary><h2>Support <small>1 objective</small></h2></summary>" in page


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("grade=yellow", True),
        ("grade=green", False),
        ("grade=unscored", False),
        ("grade=purple", True),
        ("kind=sustain", True),
        ("kind=change", True),
        ("kind=bogus", True),
    ],
)
def test_the_grade_and_kind_filters(scored, query, shown):
    page = _page(scored, url=f"{BOARD}?{query}")
    assert ('data-objective="happier"' in page) is shown


def test_the_kind_filter_shows_only_krs_of_that_kind(scored):
    page = _page(scored, url=f"{BOARD}?kind=sustain")
    assert 'data-kr="churn-down"' in page
    assert 'data-kr="csat-up"' not in page
    assert '<option value="sustain" selected>' in page


def test_an_objective_with_no_kr_of_the_kind_is_left_out(scored):
    KeyResult.objects.update(kind="change")
    assert 'data-objective="happier"' not in _page(scored, url=f"{BOARD}?kind=sustain")


def test_the_owner_filter_matches_a_name(scored):
    assert 'data-objective="happier"' in _page(scored, url=f"{BOARD}?owner=grace")
    assert 'data-objective="happier"' not in _page(scored, url=f"{BOARD}?owner=Ada")


def test_the_board_sorts_by_name(scored):
    Objective.objects.create(
        key="alpha", title="Another aim", cycle=Objective.objects.get().cycle
    )
    page = _page(scored, url=f"{BOARD}?sort=name")
    assert page.index('data-objective="alpha"') < page.index('data-objective="happier"')


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        ("admin", True),
        ("editor", True),
        ("owner", False),
        ("viewer", False),
        ("outsider", False),
    ],
)
def test_only_those_who_write_okrs_are_offered_to_plan_and_add(
    small_workspace, users, role, offered, time_machine
):
    time_machine.move_to("2026-08-01 09:00Z")
    page = _page(users, role)
    assert ("Plan this cycle" in page) is offered
    assert ("Add an objective" in page) is offered


def test_the_board_asks_anonymous_people_to_sign_in(small_workspace):
    assert client_for(None).get(BOARD).status_code == 302


@pytest.mark.parametrize("role", ["admin", "editor", "viewer"])
def test_the_objective_page_s_ids_are_unique(scored, role):
    ids = _parsed(_page(scored, role, "/objectives/happier/")).ids
    assert [id_ for id_, count in Counter(ids).items() if count > 1] == []


def test_a_kr_s_numbers_read_with_its_kpi_s_decimals_and_grouped(
    small_workspace, users
):
    """csat's readings have whole values (85, 88): its KR reads 14,210 → 15,270
    → 16,000; with a reading of one decimal, 16,000.0."""
    KeyResult.objects.filter(key="csat-up").update(
        computed_baseline=14_210, current=15_270, target=16_000
    )
    page = _page(users)
    assert "14,210 → 15,270 → 16,000" in page
    KPIStatus.objects.filter(kpi__key="csat").update(latest_value=88.5)
    assert "14,210.0 → 15,270.0 → 16,000.0" in _page(users)
    assert "14,210.0 → 15,270.0 → 16,000.0" in _page(users, url="/objectives/happier/")


def _more_objectives(first: int, count: int) -> None:
    cycle = Objective.objects.get(key="happier").cycle
    for number in range(first, first + count):
        objective = Objective.objects.create(
            key=f"more-{number}", title=f"More {number}", cycle=cycle, score=0.4
        )
        KeyResult.objects.create(
            objective=objective, key="kr", kpi_key="churn", target=1, score=0.4
        )


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_the_board_costs_the_same_queries_however_many_objectives(
    small_workspace, users, role
):
    client = client_for(users[role])
    counts = []
    for first, more in ((0, 1), (1, 5)):
        _more_objectives(first, more)
        client.get(BOARD)
        with CaptureQueriesContext(connection) as queries:
            client.get(f"{BOARD}?sort=name&kind=change")
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        ("admin", True),
        ("editor", True),
        ("owner", False),
        ("viewer", False),
        ("outsider", False),
    ],
)
def test_the_objective_page_offers_changes_only_to_its_writers(
    small_workspace, users, role, offered
):
    page = _page(users, role, "/objectives/happier/")
    for offer in ("Edit the objective", "Add a key result", ">Check in</button>"):
        assert (offer in page) is offered
