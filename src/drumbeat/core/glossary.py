"""What Drumbeat's words mean: the one source of the pages' tooltips, the help
page and the documentation's glossary (`docs/glossary.md`), so they never disagree.

Each term has an anchor (`watch` is `/help/#watch`), a one-sentence `short` text
for a tooltip, and the longer `details` the help page and the docs show. Plain
text only: the pages escape it, and the docs take it as Markdown paragraphs.
"""

from __future__ import annotations

from dataclasses import dataclass

from drumbeat.core.health import STALE_FACTOR
from drumbeat.core.model import Cadence
from drumbeat.core.rhythm import LOW_CONFIDENCE_BELOW
from drumbeat.core.scoring import GREEN_FROM, RED_BELOW
from drumbeat.core.spc import (
    DEFAULT_BASELINE_LENGTH,
    LIMIT_FACTOR,
    MINIMUM_BASELINE,
    QUARTILE_FACTOR,
    RUN_LENGTH,
)
from drumbeat.core.stagnation import STAGNATION_WINDOW


@dataclass(frozen=True, slots=True)
class Term:
    """One glossary entry: its anchor, its name and what it means."""

    key: str
    name: str
    short: str
    """One sentence, for a tooltip."""
    details: tuple[str, ...] = ()
    """Paragraphs for the help page and the docs."""
    drawing: str = ""
    """A small text drawing (the detection rules), shown as it is written."""


@dataclass(frozen=True, slots=True)
class Section:
    """A heading of the glossary and the terms under it."""

    key: str
    title: str
    introduction: str
    terms: tuple[Term, ...]


_PERCENT_GREEN = round(GREEN_FROM * 100)
_PERCENT_RED_BELOW = round(RED_BELOW * 100)

SECTIONS: tuple[Section, ...] = (
    Section(
        key="kpis-and-okrs",
        title="KPIs and OKRs",
        introduction=(
            "KPIs monitor; OKRs change. A KPI is a number the company watches all "
            "the time to know that the business is healthy. An OKR is a commitment "
            "for one cycle to move some of those numbers to a new level. A key "
            "result does not invent a new measure: it takes a KPI from the "
            "dictionary and says what it must become, and by when."
        ),
        terms=(
            Term(
                "kpi",
                "KPI",
                "A key performance indicator: a number watched all the time, with "
                "one agreed definition, an owner, a cadence and thresholds.",
                (
                    "Every KPI is an entry of the dictionary: what is counted and "
                    "how, its unit, which way is better (up, down or within a "
                    "range), how often a reading is expected, and the thresholds "
                    "that say whether a reading is healthy.",
                    "A KPI in its monitoring form has no deadline. It keeps being "
                    "read while OKRs come and go.",
                    "Like the instruments by a hospital bed, KPIs show the vital "
                    "signs (a balanced dashboard across the financial, customer, "
                    "internal and learning perspectives) without controlling them. "
                    "Targets that demand change belong to OKRs; KPIs keep the "
                    "organisation in a healthy place meanwhile.",
                ),
            ),
            Term(
                "okr",
                "OKR",
                "An objective and its key results: a change the company commits "
                "to for one cycle, measured by KPIs.",
                (
                    "The objective says in words what should change; each of its two "
                    "to five key results measures the change on a dictionary KPI, "
                    "from a baseline to a target by a deadline.",
                    "From KPI to OKR the flow is diagnostic: a red, amber or "
                    "stagnating KPI is worth an objective. From OKR to KPI it is "
                    "corrective: when the key result is reached, the KPI returns "
                    "to monitoring at its new level.",
                ),
            ),
            Term(
                "key",
                "Key, secondary and transient KPIs",
                "A key KPI is one of the few that tell how the whole business is "
                "doing; secondary KPIs support them; transient ones last a cycle.",
                (
                    "The tier decides what gets attention first: key KPIs come first "
                    "in the KPI review and in the suggestions for the next cycle. A "
                    "transient KPI measures something a single key result needs and "
                    "is kept or retired when its cycle closes.",
                ),
            ),
            Term(
                "north-star",
                "North star",
                "The one KPI that best says whether the company delivers value to "
                "its customers; it is shown on top of the dashboard.",
            ),
            Term(
                "leading",
                "Leading KPI",
                "A KPI that moves first and that a team can change within a "
                "cycle; it drives lagging KPIs.",
                (
                    "Active users, calls made or releases shipped lead: when they "
                    "move, results follow. A key result on a leading KPI shows "
                    "progress during the cycle, not only after it.",
                ),
            ),
            Term(
                "lagging",
                "Lagging KPI",
                "A KPI that shows results after the fact, such as revenue or "
                "customer satisfaction; leading KPIs drive it.",
                (
                    "An objective whose key results all measure lagging KPIs is "
                    "reported by lint, with the leading KPIs that drive them, from "
                    "the strategy map, as candidates for a key result.",
                ),
            ),
            Term(
                "strategy-map",
                "Strategy map",
                "The KPIs in their four perspectives, the north star on top, with "
                "an arrow from each leading KPI to the lagging KPIs it drives.",
                (
                    "A KPI's drives links are set on its edit page; a link that "
                    "would come back to where it starts is refused. The map marks "
                    "the KPIs that a key result of the active cycle targets.",
                ),
            ),
            Term(
                "kpi-type-1",
                "Type 1 KPIs: informal",
                "Many KPIs, loosely defined, with no agreement on which are key: "
                "implement OKRs, and formalise the few KPIs that remain.",
                (
                    "The first branch of Kelly's decision tree (seed 001). The "
                    "assessment page counts the KPIs that are incomplete, "
                    "duplicated or unowned, and whether too many are key.",
                ),
            ),
            Term(
                "kpi-type-2",
                "Type 2 KPIs: formal and targeted",
                "A few well-defined KPIs that carry their own targets and action "
                "plans: so close to OKRs that adding OKRs may set conflicting goals.",
                (
                    "The second branch of Kelly's decision tree. The assessment "
                    "page names the key KPIs targeted twice in a cycle, by a KR "
                    "in each of the last three cycles, or that carry their own "
                    "action plan (a corrective action) while a KR targets them.",
                ),
            ),
            Term(
                "kpi-type-3",
                "Type 3 KPIs: monitors",
                "Well-defined KPIs that are not targeted directly: a balanced "
                "dashboard, with OKRs driving change on a few of them.",
                (
                    "The third branch of Kelly's decision tree, and the one the "
                    "seed prefers: KPIs keep the organisation healthy, OKRs change "
                    "it.",
                ),
            ),
            Term(
                "parmenter",
                "Parmenter's seven characteristics",
                "What makes a key KPI worth its place: non-financial, measured "
                "daily or weekly, followed by the CEO, clear with a corrective "
                "action, tied to a team, moving a critical success factor, with a "
                "limited dark side.",
                (
                    "A key KPI's page shows how many of the seven it meets and what "
                    "is missing; lint reports a key KPI meeting fewer than 5. Three "
                    "are read from the definition (not financial, a daily or weekly "
                    "cadence, a team); the others from fields written for them: "
                    "whether the CEO follows it, the corrective action staff take "
                    "when it slips, the critical success factors it moves (defined "
                    "once for the workspace), and its dark side, the unintended "
                    "consequence of chasing it, with the guardrail KPI that shows "
                    "it.",
                ),
            ),
            Term(
                "critical-success-factor",
                "Critical success factor",
                "Something the organisation must do well to succeed (customers "
                "get value in their first weeks, say), defined once for the "
                "workspace; a key KPI names the ones it moves.",
                (
                    "Moving one or more of them is the sixth of Parmenter's seven "
                    "characteristics. An admin keeps the list on the critical "
                    "success factors page, or in the workspace file.",
                ),
            ),
            Term(
                "annual-cycle",
                "Annual cycle",
                "A cycle that contains others: a year and its quarters. Quarterly "
                "objectives align to the year's, and the year's key results set "
                "the annual direction.",
                (
                    "When a quarter is planned, the KPIs a key result of its year "
                    "targets come first among the suggestions of their band, and "
                    "say so.",
                ),
            ),
        ),
    ),
    Section(
        key="health",
        title="Health",
        introduction=(
            "A KPI's health comes from its latest reading and its thresholds, and "
            "from its process behaviour: a KPI that is green by its thresholds but "
            "whose latest reading is part of an unfavourable signal is amber. Each "
            "health is written in words beside its colour, and the tile and the "
            "KPI's page say why."
        ),
        terms=(
            Term(
                "green",
                "Green",
                "Healthy: the latest reading meets the green threshold and no "
                "unfavourable signal is active.",
            ),
            Term(
                "amber",
                "Amber",
                "Needs watching: the latest reading is between the green and red "
                "thresholds, or it is green but part of an unfavourable signal.",
                (
                    "An amber KPI that is green by its thresholds is deteriorating "
                    "before any threshold is crossed: its process has changed for "
                    "the worse (see the detection rules below).",
                ),
            ),
            Term(
                "red",
                "Red",
                "Unhealthy: the latest reading is at or beyond the red threshold "
                "(outside the amber band for a range KPI).",
                (
                    "In the KPI review a red KPI comes first: assign someone to "
                    "investigate it.",
                ),
            ),
            Term(
                "unknown",
                "Unknown",
                "Cannot be judged: the KPI has no reading yet, or no thresholds to "
                "judge its reading against.",
            ),
            Term(
                "stale",
                "Stale",
                f"No new reading for more than {STALE_FACTOR} periods of the KPI's "
                f"cadence (a weekly KPI after {STALE_FACTOR * Cadence.WEEKLY.days:g} "
                f"days): its health may be out of date.",
                (
                    "Stale is shown beside the health, never instead of it: the "
                    "health is that of the latest reading, however old.",
                ),
            ),
            Term(
                "stagnating",
                "Stagnating",
                f"Short of its green threshold or benchmark, and not moving: no "
                f"favourable signal in its last {STAGNATION_WINDOW} readings, and a "
                f"trend across them within its noise.",
                (
                    "A KPI that should be improving and is not: worth an objective "
                    "of its own. The suggestions for the next cycle and the KPI "
                    "page say so, with how flat it is.",
                ),
            ),
            Term(
                "review-cadence",
                "Review cadence",
                "How often a KPI comes up at the KPI review while it is on track, "
                "apart from how often it is read (a KPI read monthly may be "
                "reviewed quarterly).",
                (
                    "An on-track KPI with a review cadence comes up in the first week "
                    "of each of its review periods. A KPI that needs attention is on "
                    "the agenda whatever its review cadence, and is proposed a more "
                    "frequent review: increase monitoring frequency.",
                ),
            ),
        ),
    ),
    Section(
        key="process-behaviour",
        title="Process behaviour",
        introduction=(
            "Every KPI varies from reading to reading, and most of that variation is "
            "noise. The process behaviour chart (an XmR chart) separates the noise "
            "from a real change, so that nobody reacts to a number that only "
            "wobbled, and nobody misses a process that has shifted."
        ),
        terms=(
            Term(
                "process-limits",
                "Natural process limits",
                f"The range the KPI's readings stay in when nothing changes: the "
                f"mean ± {LIMIT_FACTOR} × the average moving range of its "
                f"baseline readings.",
                (
                    f"The moving range is the difference between two successive "
                    f"readings. The limits are computed from the baseline readings "
                    f"(the first {DEFAULT_BASELINE_LENGTH}, unless the KPI names its "
                    f"own baseline); with fewer than {MINIMUM_BASELINE} there are no "
                    f"limits yet.",
                    f"The quartile lines lie halfway between the mean and each "
                    f"limit (mean ± {QUARTILE_FACTOR} × the average moving range).",
                ),
            ),
            Term(
                "noise",
                "Within the noise",
                "A change smaller than the natural process limits allow: it needs "
                "no explanation, and a target inside the limits can be hit by "
                "chance.",
                (
                    "A target that lies inside the natural process limits is within "
                    "the noise: the KPI may reach it without anything having "
                    "changed, and miss it again the next week. A key result worth "
                    "its name asks for a move beyond the noise.",
                ),
            ),
            Term(
                "attribution",
                "Moved beyond its noise, as targeted (attribution)",
                "Over a closed cycle, the KPI showed a signal on the side its key "
                "result aimed at, against its limits from before the cycle: "
                "associated with the OKR, never proof that the OKR caused it.",
                (
                    "Each closed cycle is judged against the KPI's latest 20 "
                    "readings before the cycle (the noise: 2.66 × their average "
                    "moving range). The movement is shown in the KPI's unit and in "
                    "multiples of that noise. It held when every reading of the "
                    "following cycle stayed on the targeted side of the mean from "
                    "before the cycle.",
                ),
            ),
            Term(
                "signal",
                "Signal (favourable or unfavourable)",
                "A pattern that noise alone hardly ever makes: the process has "
                "changed. Favourable on the KPI's good side, unfavourable on its "
                "bad side.",
                (
                    "The detection rules find signals (below). A signal whose "
                    "window includes the latest reading is active. An active "
                    "unfavourable signal turns a green KPI amber and puts the KPI at "
                    "risk.",
                ),
            ),
            Term(
                "rule-1",
                "Rule 1: a point beyond a limit",
                "Rule 1: a single reading above the upper or below the lower "
                "natural process limit.",
                drawing=(
                    "                                 x  <- rule 1\n"
                    "upper limit  -------------------------\n"
                    "mean         ...o....o..o...o..o......\n"
                    "lower limit  -------------------------"
                ),
            ),
            Term(
                "rule-2",
                "Rule 2: three of four beyond a quartile line",
                "Rule 2: three of four successive readings beyond the same quartile "
                "line, halfway between the mean and a limit.",
                drawing=(
                    "upper limit    ---------------------------\n"
                    "                            x   x x  <- rule 2: 3 of 4\n"
                    "quartile line  . . . . . . . . . . . . . .\n"
                    "mean           ...o..o...o..o.....o.......\n"
                    "lower limit    ---------------------------"
                ),
            ),
            Term(
                "rule-3",
                "Rule 3: a run of eight",
                f"Rule 3: {RUN_LENGTH} readings in a row on the same side of the "
                f"mean (a reading exactly on the mean neither extends nor breaks "
                f"the run).",
                drawing=(
                    "mean  ..o..o..o...........................\n"
                    "                x x x x x x x x  <- rule 3: 8 in a row"
                ),
            ),
            Term(
                "rule-4",
                "Rule 4: a sudden jump",
                "Rule 4: a reading that moved further from the one before it than "
                "the upper range limit (3.268 × the average moving range) allows: "
                "drawn on the moving-range chart under the process chart.",
            ),
            Term(
                "divider",
                "Divider (limit period)",
                "A day from which a KPI's limits are recomputed from its own "
                "readings: the process changed for good, and the old limits no "
                "longer describe it.",
                (
                    "Drumbeat proposes a divider when a shift has lasted (sixteen "
                    "readings in a row on one side of the mean); the KPI's owner "
                    "accepts, moves or declines it on the KPI's page. Each reading "
                    "is judged against the limits of its own period.",
                ),
            ),
        ),
    ),
    Section(
        key="lifecycle",
        title="Lifecycle",
        introduction=(
            "Where a KPI stands between monitoring and change, the four statuses of "
            "the KPI-to-OKR flow."
        ),
        terms=(
            Term(
                "okr-target",
                "OKR target",
                "A key result of a running cycle measures this KPI: it is being "
                "changed on purpose.",
            ),
            Term(
                "at-risk",
                "At risk",
                "Not targeted by an OKR now, and amber, red or with an active "
                "unfavourable signal: a candidate for attention or an objective.",
            ),
            Term(
                "watch",
                "Watch",
                "Monitored, and no action is needed: not targeted, healthy and no "
                "unfavourable signal.",
            ),
            Term(
                "completed",
                "Completed",
                "A key result of the last closed cycle reached its target on this "
                "KPI: it returns to monitoring at the level reached.",
            ),
        ),
    ),
    Section(
        key="scoring",
        title="OKR scoring",
        introduction=(
            "Key results and objectives are scored from 0 to 1 from the KPIs' "
            "readings, never typed in. The scores are frozen as final grades when "
            "the cycle closes."
        ),
        terms=(
            Term(
                "score",
                "Score",
                "From 0 to 1: how much of the way from the baseline to the target "
                "a key result has come (the share of readings meeting the target "
                "for a sustain key result).",
                (
                    "An objective's score is the weighted mean of its key results' "
                    "scores. Scores are shown as percents (0.7 is 70 %).",
                ),
            ),
            Term(
                "grade-green",
                "Green grade",
                f"A score of {GREEN_FROM} ({_PERCENT_GREEN} %) or more: on track, "
                f"or delivered.",
            ),
            Term(
                "grade-yellow",
                "Yellow grade",
                f"A score from {RED_BELOW} up to {GREEN_FROM} ({_PERCENT_RED_BELOW} "
                f"to {_PERCENT_GREEN} %): progress, but short of the mark.",
            ),
            Term(
                "grade-red",
                "Red grade",
                f"A score below {RED_BELOW} ({_PERCENT_RED_BELOW} %): little or no "
                f"progress.",
            ),
            Term(
                "change",
                "Change key result",
                "Moves the KPI from its baseline to a target: the score is the "
                "share of that distance covered, from 0 to 1.",
                (
                    "On a range KPI the target may be a band: the score is the share "
                    "of the distance from the baseline to the band's nearest edge "
                    "covered, 1 inside the band. A target may be written as a "
                    'percent change of the baseline ("+10%"), kept resolved and '
                    "shown both ways (+10 % → 16.5).",
                ),
            ),
            Term(
                "cumulative",
                "Cumulative key result",
                "Adds up the KPI's readings in the cycle (new clients won, say): "
                "the current value is their sum, from a baseline of 0, scored "
                "like a change.",
            ),
            Term(
                "relative-target",
                "Relative target",
                'A target written as a change of the baseline, "+10%" or '
                '"-25%": resolved to a level when it is saved (+10% of 15 is '
                "16.5), kept at that level, and shown both ways: +10 % → 16.5.",
            ),
            Term(
                "band-target",
                "Key result into a band",
                "A change key result on a KPI that is good inside a band "
                "(90-120, say): its progress is the share of the way from the "
                "baseline to the nearest edge of the band covered, 100% inside it.",
            ),
            Term(
                "sustain",
                "Sustain key result",
                "Holds the KPI at its target through the cycle: the score is the "
                "share of the cycle's readings that meet the target.",
            ),
            Term(
                "committed",
                "Committed objective",
                "Must be delivered in full: below a score of 1.0 at close it is a "
                "missed commitment.",
            ),
            Term(
                "aspirational",
                "Aspirational objective",
                f"A stretch: a score of {GREEN_FROM} or more at close is a success.",
            ),
            Term(
                "confidence",
                "Confidence",
                f"At each check-in, the owner's chance from 0 to 1 that the key "
                f"result will be hit; below {LOW_CONFIDENCE_BELOW} it is low "
                f"confidence and comes first in the check-in meeting.",
                (
                    "Calibration compares the confidence people stated with what "
                    "was hit, so that confidence becomes a number one can rely on.",
                ),
            ),
            Term(
                "forecast",
                "Forecast (likely to hit)",
                "Where a key result of a running cycle is heading: the KPI's value "
                "expected at the deadline, and the chance that the key result will "
                "be hit then (a score of 1.0 for a committed objective, "
                f"{GREEN_FROM} for an aspirational one).",
                (
                    "A change key result follows the straight line through its "
                    "readings since the cycle began, with the KPI's usual noise and "
                    "the line's own uncertainty; a sustain key result counts the "
                    "readings still to come that are likely to meet the target. "
                    "With fewer than 3 readings in the cycle there is no forecast "
                    "yet. Forecasting explains the method and its backtest.",
                ),
            ),
            Term(
                "calibration",
                "Confidence calibration",
                "How the confidence people stated at their check-ins compares with "
                "the share of their key results that were hit at close: "
                "over-confident, well calibrated or under-confident.",
                (
                    "Each person's check-ins on a key result count once, as their "
                    "mean. Within 10 points of the share hit is well calibrated. "
                    "Shown from 5 closed key results on.",
                ),
            ),
            Term(
                "brier-score",
                "Brier score",
                "The mean of (stated confidence − outcome)², the outcome 1 when "
                "the key result was hit and 0 when not: 0 is perfect, 0.25 is "
                "what always saying 0.5 earns.",
            ),
            Term(
                "confidence-trend",
                "Confidence trend (↑ ↓)",
                "An arrow after the confidence: ↑ it rose since the check-in "
                "before, ↓ it fell; no arrow when it did not move.",
            ),
        ),
    ),
)
"""The glossary, in the order the help page and the docs show it."""

TERMS: dict[str, Term] = {
    term.key: term for section in SECTIONS for term in section.terms
}


def term_key(*parts: str) -> str:
    """The glossary key of a value as the pages hold it: `at_risk` → `at-risk`,
    (`grade`, `yellow`) → `grade-yellow`."""
    return "-".join(str(part).replace("_", "-") for part in parts if part).lower()


def glossary_markdown() -> str:
    """The glossary as the documentation's page (`docs/glossary.md`) writes it."""
    lines = [
        "# Glossary",
        "",
        "What the words, badges and colours of Drumbeat mean. The same text is the",
        "tooltip of each badge in the web application and its help page (`/help/`);",
        "the tests check that this page says what the application says.",
        "",
    ]
    for section in SECTIONS:
        heading = f"## {section.title} {{#{section.key}}}"
        lines += [heading, "", section.introduction, ""]
        for term in section.terms:
            lines += [f"### {term.name} {{#{term.key}}}", "", term.short, ""]
            for paragraph in term.details:
                lines += [paragraph, ""]
            if term.drawing:
                lines += ["```text", term.drawing, "```", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


if __name__ == "__main__":
    print(glossary_markdown(), end="")
