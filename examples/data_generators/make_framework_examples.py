"""Generate the synthetic example data of four bundled frameworks.

The data describe no real person, organization, school or network. They are drawn from
simple models with fixed seeds, so running this script again writes the very same files:

* ``organizer-training``: six organizations send 25 organizers to a six-month training
  program (September 2021 to February 2022);
* ``community-schools-organizing``: six community schools over three school years;
* ``family-engagement-partnerships``: three cross-sector partnerships with 12 sites over
  three school years;
* ``networks-community-of-practice``: eight education networks over a two-year community
  of practice (baseline, year 1, year 2).

Survey respondents are followed across waves (some leave and some join), answers come
from a latent score plus noise, a few answers are left blank,
and some organizations improve a lot while others barely move.

Usage::

    python examples/data_generators/make_framework_examples.py            # rewrite the CSVs
    python examples/data_generators/make_framework_examples.py --out DIR  # write elsewhere

Each data set goes to ``<out>/<framework-folder>/<source id>.csv``, with a ``README.md`` and
the ``MANIFEST.json`` that lets ``getting_to_outcomes.load_example(<framework-folder>)`` read
it; ``out`` defaults to ``src/getting_to_outcomes/datasets/data``. Column names and order are
taken from the framework's source definitions, so the files always match them.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from getting_to_outcomes import load_framework

Row = dict[str, Any]
Rng = np.random.Generator

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "src" / "getting_to_outcomes" / "datasets" / "data"


# --- helpers ---------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return ""
        return f"{float(value):.10g}"
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value)


def write_table(folder: Path, source_id: str, columns: Sequence[str], rows: Iterable[Row]) -> int:
    """Write rows as ``<folder>/<source_id>.csv`` in the source's column order."""
    rows = list(rows)
    for row in rows:
        extra = set(row) - set(columns)
        if extra:
            raise ValueError(f"{source_id}: columns not in the source definition: {sorted(extra)}")
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{source_id}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
    return len(rows)


def likert_answers(
    rng: Rng,
    latent: float,
    items: Sequence[str],
    reverse: Sequence[str] = (),
    *,
    noise: float = 0.7,
    skip: float = 0.03,
    easier: dict[str, float] | None = None,
) -> Row:
    """Answers 1-5 to ``items`` for a person whose true score is ``latent``.

    Reverse-keyed items are answered as the mirror image; ``easier`` raises the true score
    for single items that people endorse more readily. Each answer is left blank (skipped, or
    "don't know") with probability ``skip``.
    """
    out: Row = {}
    for item in items:
        value = latent + (easier or {}).get(item, 0.0) + rng.normal(0.0, noise)
        if item in reverse:
            value = 6.0 - value
        code: int | None = int(np.clip(np.rint(value), 1, 5))
        if rng.random() < skip:
            code = None
        out[item] = code
    return out


def panel(
    rng: Rng,
    periods: Sequence[str],
    size: int,
    prefix: str,
    *,
    retention: float,
    start: int = 1,
) -> tuple[dict[str, list[str]], int]:
    """Who is present in each period: a panel with attrition and replacements.

    Returns the ids present per period and the next free number.
    """
    present: dict[str, list[str]] = {}
    current = [f"{prefix}{k:03d}" for k in range(start, start + size)]
    number = start + size
    for index, period in enumerate(periods):
        if index > 0:
            kept = [p for p in current if rng.random() < retention]
            joined = size - len(kept)
            current = kept + [f"{prefix}{k:03d}" for k in range(number, number + joined)]
            number += joined
        present[period] = list(current)
    return present, number


def day_in_month(rng: Rng, month: str, *, first: int = 1, last: int | None = None) -> dt.date:
    year, mon = (int(x) for x in month.split("-"))
    days = calendar.monthrange(year, mon)[1]
    return dt.date(year, mon, int(rng.integers(first, min(last or days, days) + 1)))


def columns_of(framework_path: Path) -> dict[str, list[str]]:
    framework = load_framework(framework_path)
    return {sid: [c.name for c in src.columns] for sid, src in framework.sources.items()}


# --- 1. organizer training ---------------------------------------------------------------

OT_MONTHS = ["2021-09", "2021-10", "2021-11", "2021-12", "2022-01", "2022-02"]
OT_SURVEY_MONTHS = ["2021-09", "2021-11", "2022-02"]
OT_SESSIONS = [
    ("virtual_1", "2021-09", 15.0),
    ("virtual_2", "2021-10", 15.0),
    ("virtual_3", "2021-11", 15.0),
    ("virtual_4", "2022-01", 15.0),
    ("parent_leader_institute", "2022-02", 12.0),
]
#: organization -> (organizers sent, how strongly the training takes hold: 0 none, 1 full)
OT_ORGS = {
    "eastside_families_united": (5, 1.0),
    "harbor_city_family_voice": (3, 0.8),
    "lakeside_parent_power": (6, 0.9),
    "north_valley_parents": (4, 0.15),
    "oakridge_parent_union": (2, 0.7),
    "riverbend_education_alliance": (5, 0.85),
}
OT_SCALES = {
    # block: (items, reverse items, baseline mean, gain at full uptake)
    "practice": (
        [
            "op1_one_to_one",
            "op2_house_meeting",
            "op3_research_meeting",
            "op4_action",
            "op5_unsure_next",
        ],
        ["op5_unsure_next"],
        2.9,
        1.0,
    ),
    "roles": (
        ["rl1_tell_roles_apart", "rl2_parents_speak", "rl3_do_it_myself"],
        ["rl3_do_it_myself"],
        3.1,
        0.9,
    ),
    "data": (
        ["du1_find_data", "du2_present_data", "du3_data_confusing"],
        ["du3_data_confusing"],
        2.8,
        0.8,
    ),
    "reflection": (["rf1_look_back", "rf2_use_feedback", "rf3_no_time"], ["rf3_no_time"], 3.2, 0.6),
    "support": (
        ["sp1_someone_to_ask", "sp2_alone", "sp3_overwhelmed"],
        ["sp2_alone", "sp3_overwhelmed"],
        2.9,
        0.7,
    ),
}


def organizer_training(rng: Rng, columns: dict[str, list[str]], folder: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    organizers: list[tuple[str, str, float, float, str | None]] = []
    number = 1
    for org, (size, uptake) in OT_ORGS.items():
        for _ in range(size):
            # Person-level uptake varies around the organization's; a few leave early.
            personal = float(np.clip(uptake + rng.normal(0, 0.2), 0, 1.2))
            skill = float(rng.normal(0, 0.7))
            leaves = rng.random() < 0.1
            left_after = str(rng.choice(OT_MONTHS[2:5])) if leaves else None
            organizers.append((org, f"otp-{number:03d}", personal, skill, left_after))
            number += 1

    def active(left_after: str | None, month: str) -> bool:
        return left_after is None or month <= left_after

    def progress(month: str) -> float:
        return OT_MONTHS.index(month) / (len(OT_MONTHS) - 1)

    # survey
    survey: list[Row] = []
    for org, person, uptake, skill, left_after in organizers:
        role = str(
            rng.choice(["organizer", "parent_engagement_staff", "manager"], p=[0.7, 0.22, 0.08])
        )
        years = int(rng.choice([0, 0, 1, 1, 2, 3, 5]))
        for month in OT_SURVEY_MONTHS:
            if not active(left_after, month) or rng.random() < 0.06:
                continue
            row: Row = {
                "org_id": org,
                "organizer_id": person,
                "survey_month": month,
                "survey_date": day_in_month(rng, month, first=14, last=28),
                "role": role,
                "years_organizing": years,
            }
            for items, reverse, base, gain in OT_SCALES.values():
                latent = base + skill + gain * uptake * progress(month)
                row.update(
                    likert_answers(rng, latent + rng.normal(0, 0.2), items, reverse, noise=0.5)
                )
            survey.append(row)
    counts["organizer_survey"] = write_table(
        folder, "organizer_survey", columns["organizer_survey"], survey
    )

    # training record
    record: list[Row] = []
    for org, person, uptake, _, left_after in organizers:
        for index, (session, month, hours) in enumerate(OT_SESSIONS):
            still_in = active(left_after, month)
            full = still_in and rng.random() < 0.93
            partial = still_in and not full and rng.random() < 0.6
            attended_hours = (
                hours if full else (hours / 3 * int(rng.integers(1, 3)) if partial else 0.0)
            )
            if index == 0:
                coaching = float(rng.choice([0.0, 0.0, 0.5, 1.0]))
            elif still_in:
                coaching = float(
                    np.clip(np.round(rng.normal(1.2 + 1.0 * uptake, 0.5) * 2) / 2, 0, 6)
                )
            else:
                coaching = 0.0
            reflection_p = (0.6 if index == 0 else 0.7 + 0.2 * uptake) if still_in else 0.0
            record.append(
                {
                    "org_id": org,
                    "organizer_id": person,
                    "session": session,
                    "session_month": month,
                    "attended": full,
                    "hours_attended": attended_hours,
                    "coaching_hours": coaching,
                    "reflection_submitted": bool(rng.random() < reflection_p),
                    "reading_completed": bool(still_in and rng.random() < 0.8),
                }
            )
    counts["training_record"] = write_table(
        folder, "training_record", columns["training_record"], record
    )

    # organizer monthly log, built from weekly one-to-one counts
    log: list[Row] = []
    for org, person, uptake, skill, left_after in organizers:
        for month in OT_MONTHS:
            if not active(left_after, month):
                continue
            weeks = 3 if month == "2021-12" else int(rng.choice([4, 4, 5]))
            rate = max(0.5, 2.4 + 0.6 * skill + 2.9 * uptake * progress(month))
            weekly = rng.poisson(rate, size=weeks)
            total = int(weekly.sum())
            meetings = int(rng.poisson(0.35 + 0.7 * uptake * progress(month)))
            attendees = int(
                sum(rng.poisson(6 + 3 * uptake * progress(month)) for _ in range(meetings))
            )
            log.append(
                {
                    "org_id": org,
                    "organizer_id": person,
                    "month": month,
                    "weeks_worked": weeks,
                    "one_to_ones": total,
                    "one_to_ones_parents": int(rng.binomial(total, 0.75)),
                    "weeks_at_five_plus": int((weekly >= 5).sum()),
                    "house_meetings_led": meetings,
                    "house_meeting_attendees": attendees,
                    "parents_identified_as_leaders": int(
                        rng.poisson(0.6 + 1.2 * uptake * progress(month))
                    ),
                }
            )
    counts["organizer_log"] = write_table(folder, "organizer_log", columns["organizer_log"], log)

    # organization monthly log
    org_log: list[Row] = []
    start_stage = {
        "eastside_families_united": 1,
        "harbor_city_family_voice": 0,
        "lakeside_parent_power": 2,
        "north_valley_parents": 0,
        "oakridge_parent_union": 1,
        "riverbend_education_alliance": 0,
    }
    final_stage = {
        "eastside_families_united": 4,
        "harbor_city_family_voice": 2,
        "lakeside_parent_power": 3,
        "north_valley_parents": 1,
        "oakridge_parent_union": 2,
        "riverbend_education_alliance": 3,
    }
    members_at = {0: (0, 0), 1: (2, 4), 2: (4, 7), 3: (7, 11), 4: (9, 14)}
    for org, (_, uptake) in OT_ORGS.items():
        for month in OT_MONTHS:
            p = progress(month)
            stage = int(
                np.floor(start_stage[org] + (final_stage[org] - start_stage[org]) * p + 1e-9)
            )
            low, high = members_at[stage]
            members = int(rng.integers(low, high + 1))
            public = int(rng.binomial(members, 0.08 + 0.35 * uptake * p)) if members else 0
            meetings = int(rng.poisson(0.8 + 1.2 * p * uptake))
            led = int(rng.binomial(meetings, 0.15 + 0.5 * uptake * p))
            org_log.append(
                {
                    "org_id": org,
                    "month": month,
                    "plt_stage": stage,
                    "plt_members": members,
                    "plt_members_public_role": public,
                    "plt_meetings": 0 if stage < 2 else int(rng.integers(1, 5)),
                    "research_meetings": meetings,
                    "research_meetings_parent_led": led,
                    "data_products": int(rng.poisson(0.2 + 1.6 * uptake * p)),
                }
            )
    counts["organization_log"] = write_table(
        folder, "organization_log", columns["organization_log"], org_log
    )

    # community actions
    actions: list[Row] = []
    for org, (_, uptake) in OT_ORGS.items():
        number = 1
        for month in OT_MONTHS:
            p = progress(month)
            for _ in range(int(rng.poisson(0.7 + 1.0 * uptake * p))):
                fmt = str(rng.choice(["in_person", "online", "hybrid"], p=[0.35, 0.45, 0.2]))
                parents = int(rng.poisson(22 + 25 * uptake * p))
                others = int(rng.poisson(8))
                officials = int(rng.poisson(1.2 + 1.5 * p))
                actions.append(
                    {
                        "org_id": org,
                        "action_id": f"{org[:4]}-a{number:02d}",
                        "month": month,
                        "date": day_in_month(rng, month),
                        "action_type": str(
                            rng.choice(
                                [
                                    "accountability_session",
                                    "public_meeting",
                                    "board_testimony",
                                    "rally",
                                    "press_conference",
                                    "online_action",
                                ],
                                p=[0.25, 0.2, 0.25, 0.1, 0.05, 0.15],
                            )
                        ),
                        "format": fmt,
                        "campaign_id": f"{org[:4]}-c1",
                        "turnout": parents + others,
                        "parents_turnout": parents,
                        "parent_speakers": int(rng.integers(1, 6)),
                        "officials_present": officials,
                        "commitments_obtained": int(rng.poisson(0.3 + 0.9 * uptake * p))
                        if officials
                        else 0,
                        "used_local_data": bool(rng.random() < 0.2 + 0.6 * uptake * p),
                    }
                )
                number += 1
    counts["actions_log"] = write_table(folder, "actions_log", columns["actions_log"], actions)

    # local policy demands: each org's demands and the month each stage was reached
    demands: dict[str, list[tuple[str, str, str, dict[str, int]]]] = {
        "eastside_families_united": [
            (
                "Bilingual family liaison at every district school",
                "district",
                "language_access",
                {
                    "identified": 0,
                    "demand_presented": 1,
                    "commitment_obtained": 3,
                    "adopted": 4,
                    "implemented": 5,
                },
            ),
            (
                "Publish school-by-school reading recovery data",
                "district",
                "learning_recovery",
                {"identified": 1, "demand_presented": 2, "commitment_obtained": 5},
            ),
        ],
        "harbor_city_family_voice": [
            (
                "Safe walking routes near two elementary schools",
                "city",
                "school_climate",
                {"identified": 0, "demand_presented": 2, "commitment_obtained": 4},
            ),
        ],
        "lakeside_parent_power": [
            (
                "Free tutoring for students behind in reading",
                "district",
                "learning_recovery",
                {"identified": 0, "demand_presented": 1, "commitment_obtained": 2, "adopted": 4},
            ),
            (
                "Parent seats on the school reopening committee",
                "school",
                "family_engagement",
                {"identified": 1, "demand_presented": 3, "rejected": 4},
            ),
        ],
        "north_valley_parents": [
            (
                "Open enrollment information in Spanish and Vietnamese",
                "district",
                "enrollment_access",
                {"identified": 1, "demand_presented": 4},
            ),
        ],
        "oakridge_parent_union": [
            (
                "Ventilation upgrades before in-person learning",
                "school",
                "safe_reopening",
                {"identified": 0, "demand_presented": 2, "commitment_obtained": 3, "adopted": 5},
            ),
        ],
        "riverbend_education_alliance": [
            (
                "Special education family help desk",
                "county",
                "special_education",
                {"identified": 0, "demand_presented": 2, "commitment_obtained": 4},
            ),
            (
                "After-school program at the middle school",
                "school",
                "learning_recovery",
                {"identified": 2, "demand_presented": 4},
            ),
        ],
    }
    date_columns = {
        "demand_presented": "date_demand_presented",
        "commitment_obtained": "date_commitment",
        "adopted": "date_adopted",
        "implemented": "date_implemented",
        "rejected": "date_rejected",
    }
    changes: list[Row] = []
    for org, org_demands in demands.items():
        for number, (title, level, issue, reached) in enumerate(org_demands, start=1):
            dates = {
                stage: day_in_month(rng, OT_MONTHS[i], first=3, last=26)
                for stage, i in reached.items()
            }
            contribution = str(rng.choice(["lead", "lead", "co_lead"]))
            for index, month in enumerate(OT_MONTHS):
                done = [s for s, i in reached.items() if i <= index]
                if not done:
                    continue
                current_stage = done[-1]
                row = {
                    "org_id": org,
                    "change_id": f"{org[:4]}-d{number}",
                    "month": month,
                    "title": title,
                    "level": level,
                    "issue_area": issue,
                    "stage": current_stage,
                    "contribution": contribution,
                }
                for s in done:
                    if s in date_columns:
                        row[date_columns[s]] = dates[s]
                evidence = []
                if "commitment_obtained" in done:
                    evidence.append("meeting minutes")
                if "adopted" in done:
                    evidence.append("board resolution")
                if "implemented" in done:
                    evidence.append("district announcement")
                if "rejected" in done:
                    evidence.append("letter declining the request")
                row["evidence"] = "; ".join(evidence) or None
                changes.append(row)
    counts["policy_changes_log"] = write_table(
        folder, "policy_changes_log", columns["policy_changes_log"], changes
    )
    return counts


# --- 2. community schools and organizing ------------------------------------------------

CS_YEARS = ["2022-23", "2023-24", "2024-25"]
#: school -> (grade span, enrollment, yearly gain in ownership and trust)
CS_SCHOOLS = {
    "cs_alder_es": ("elementary", 420, 0.30),
    "cs_birch_ms": ("middle", 610, 0.18),
    "cs_cedar_hs": ("high", 980, 0.0),
    "cs_dogwood_k8": ("k8", 540, 0.22),
    "cs_elm_es": ("elementary", 380, 0.35),
    "cs_fir_es": ("elementary", 300, -0.05),
}


def community_schools(rng: Rng, columns: dict[str, list[str]], folder: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    ownership = (
        ["ow1_belongs_to_us", "ow2_help_decide", "ow3_welcome", "ow4_decided_without_us"],
        ["ow4_decided_without_us"],
    )
    trust = (
        ["tr1_staff_care", "tr2_keep_word", "tr3_raise_concerns", "tr4_distrust"],
        ["tr4_distrust"],
    )

    survey: list[Row] = []
    roster: list[Row] = []
    for school, (span, _, gain) in CS_SCHOOLS.items():
        prefix = f"{school[3:6]}-r"
        present, _ = panel(rng, CS_YEARS, 20, prefix, retention=0.6)
        people: dict[str, tuple[float, str, str]] = {}
        for year_index, year in enumerate(CS_YEARS):
            for person in present[year]:
                if person not in people:
                    language = str(rng.choice(["english", "spanish", "other"], p=[0.52, 0.4, 0.08]))
                    roles = ["parent_caregiver", "community_member", "student"]
                    p_roles = [0.78, 0.12, 0.10] if span == "high" else [0.88, 0.12, 0.0]
                    people[person] = (
                        float(rng.normal(0, 0.7)),
                        str(rng.choice(roles, p=p_roles)),
                        language,
                    )
                offset, role, language = people[person]
                row: Row = {
                    "school_id": school,
                    "respondent_id": person,
                    "school_year": year,
                    "survey_date": day_in_month(rng, f"{2023 + year_index}-04", first=8, last=30),
                    "respondent_role": role,
                    "language": language,
                }
                row.update(
                    likert_answers(
                        rng,
                        3.0 + offset + gain * year_index,
                        *ownership,
                        noise=0.55,
                        skip=0.06,
                        easier={"ow3_welcome": 0.6},
                    )
                )
                row.update(
                    likert_answers(
                        rng,
                        3.2 + 0.8 * offset + rng.normal(0, 0.35) + 0.8 * gain * year_index,
                        *trust,
                        noise=0.55,
                        skip=0.06,
                    )
                )
                row["meetings_attended"] = (
                    None
                    if rng.random() < 0.05
                    else int(rng.poisson(max(0.5, 3 + 4 * gain * year_index + offset)))
                )
                row["took_part_in_organizing"] = (
                    None
                    if rng.random() < 0.05
                    else bool(rng.random() < 0.15 + 0.35 * gain * year_index)
                )
                survey.append(row)

        tracked, _ = panel(rng, CS_YEARS, 16, f"{school[3:6]}-f", retention=0.75)
        rung: dict[str, int] = {}
        for year in CS_YEARS:
            for family in tracked[year]:
                if family not in rung:
                    rung[family] = int(rng.choice([0, 1, 1, 1, 2, 2, 3]))
                elif rng.random() < 0.2 + 1.1 * max(gain, 0):
                    rung[family] = min(4, rung[family] + 1)
                elif rng.random() < 0.08:
                    rung[family] = max(0, rung[family] - 1)
                lvl = rung[family]
                roster.append(
                    {
                        "school_id": school,
                        "family_id": family,
                        "school_year": year,
                        "language": str(
                            rng.choice(["english", "spanish", "other"], p=[0.5, 0.42, 0.08])
                        ),
                        "participation_level": lvl,
                        "events_attended": int(rng.poisson(1 + 2.5 * lvl)),
                        "leadership_training": bool(rng.random() < 0.05 + 0.12 * lvl),
                        "steering_committee": lvl == 4 or (lvl == 3 and rng.random() < 0.3),
                    }
                )
    counts["family_survey"] = write_table(folder, "family_survey", columns["family_survey"], survey)
    counts["family_roster"] = write_table(folder, "family_roster", columns["family_roster"], roster)

    organizing: list[Row] = []
    profile: list[Row] = []
    for school, (span, enrolled, gain) in CS_SCHOOLS.items():
        strength = max(gain, 0.0) / 0.35
        for k, year in enumerate(CS_YEARS):
            partners = int(8 + rng.integers(0, 6) + 4 * strength * k)
            committee = int(7 + rng.integers(0, 4) + 4 * strength * k)
            budget = int(round(rng.uniform(150_000, 320_000) * (1 + 0.15 * k), -3))
            presentations = int(rng.poisson(1.5 + 2.5 * strength * k))
            organizing.append(
                {
                    "school_id": school,
                    "school_year": year,
                    "partner_organizations": partners,
                    "partners_with_agreement": int(
                        rng.binomial(partners, 0.35 + 0.15 * strength * k)
                    ),
                    "committee_members": committee,
                    "committee_family_members": int(
                        rng.binomial(committee, 0.3 + 0.1 * strength * k)
                    ),
                    "committee_meetings": int(rng.integers(5, 11)),
                    "meetings_with_officials": int(rng.poisson(3 + 4 * strength * k)),
                    "officials_publicly_supporting": int(rng.poisson(0.8 + 1.5 * strength * k)),
                    "funds_leveraged_usd": int(
                        round(rng.uniform(20_000, 80_000) * (1 + 1.2 * strength * k), -3)
                    ),
                    "budget_usd": budget,
                    "budget_stable_usd": int(
                        round(
                            budget * min(0.9, 0.25 + 0.15 * strength * k + rng.uniform(0, 0.1)), -3
                        )
                    ),
                    "data_presentations": presentations,
                    "data_presentations_family_led": int(
                        rng.binomial(presentations, 0.2 + 0.15 * strength * k)
                    ),
                    "story_audience": int(presentations * rng.integers(30, 120)),
                }
            )
            students = int(enrolled * (1 + rng.normal(0, 0.03)))
            families = int(students * rng.uniform(0.72, 0.8))
            absent_rate = float(
                np.clip(0.31 - 0.03 * strength * k + rng.normal(0, 0.015), 0.05, 0.6)
            )
            profile.append(
                {
                    "school_id": school,
                    "school_year": year,
                    "grade_span": span,
                    "students_enrolled": students,
                    "students_chronically_absent": round(students * absent_rate),
                    "families_enrolled": families,
                    "families_at_conferences": round(
                        families * np.clip(0.52 + 0.06 * strength * k + rng.normal(0, 0.02), 0, 1)
                    ),
                    "services_on_site": int(4 + rng.integers(0, 3) + 2 * strength * k),
                }
            )
    counts["organizing_log"] = write_table(
        folder, "organizing_log", columns["organizing_log"], organizing
    )
    counts["school_profile"] = write_table(
        folder, "school_profile", columns["school_profile"], profile
    )

    # commitments: the year index in which each stage was reached
    plans: dict[str, list[tuple[str, str, str, dict[str, int], int | None]]] = {
        "cs_alder_es": [
            (
                "Full-time community school coordinator",
                "staffing",
                "district",
                {"proposed": 0, "endorsed": 0, "adopted": 1, "funded": 1, "renewed": 2},
                95_000,
            )
        ],
        "cs_birch_ms": [
            (
                "School-based health center",
                "funding",
                "city",
                {"proposed": 0, "endorsed": 1, "adopted": 2},
                240_000,
            )
        ],
        "cs_cedar_hs": [
            (
                "Restorative justice coordinator",
                "staffing",
                "district",
                {"proposed": 1, "rejected": 2},
                85_000,
            )
        ],
        "cs_dogwood_k8": [
            (
                "Family resource room open evenings",
                "practice",
                "school",
                {"proposed": 0, "adopted": 1},
                None,
            ),
            (
                "District community schools policy",
                "policy",
                "district",
                {"proposed": 1, "endorsed": 2},
                None,
            ),
        ],
        "cs_elm_es": [
            (
                "Community school funding line in the city budget",
                "funding",
                "city",
                {"proposed": 0, "endorsed": 1, "adopted": 1, "funded": 2},
                180_000,
            )
        ],
        "cs_fir_es": [
            ("After-school program partner agreement", "practice", "school", {"proposed": 1}, None)
        ],
    }
    date_columns = {
        s: f"date_{s}" for s in ("proposed", "endorsed", "adopted", "funded", "renewed")
    }
    stage_month = {
        "proposed": (10, 11),
        "endorsed": (12, 2),
        "adopted": (3, 4),
        "funded": (5, 6),
        "renewed": (5, 6),
        "rejected": (4, 5),
    }
    commitments: list[Row] = []
    for school, school_plans in plans.items():
        for number, (title, kind, level, reached, dollars) in enumerate(school_plans, start=1):
            dates = {}
            for stage, year_index in reached.items():
                month = int(rng.choice(stage_month[stage]))
                cal_year = 2022 + year_index + (1 if month <= 6 else 0)
                dates[stage] = day_in_month(rng, f"{cal_year}-{month:02d}", first=2, last=27)
            for k, year in enumerate(CS_YEARS):
                done = [s for s, i in reached.items() if i <= k]
                if not done:
                    continue
                stage = done[-1]
                row = {
                    "school_id": school,
                    "commitment_id": f"{school[3:6]}-k{number}",
                    "school_year": year,
                    "title": title,
                    "commitment_type": kind,
                    "level": level,
                    "stage": stage,
                    "dollars_usd": dollars if stage in ("adopted", "funded", "renewed") else None,
                }
                for s in done:
                    if s in date_columns:
                        row[date_columns[s]] = dates[s]
                evidence = {
                    "adopted": "board resolution",
                    "funded": "budget line",
                    "renewed": "budget line (following year)",
                    "endorsed": "news article",
                    "rejected": "meeting minutes",
                }
                row["evidence"] = "; ".join(evidence[s] for s in done if s in evidence) or None
                commitments.append(row)
    counts["commitments_log"] = write_table(
        folder, "commitments_log", columns["commitments_log"], commitments
    )
    return counts


# --- 3. family-engagement partnerships ---------------------------------------------------

FE_YEARS = ["2022-23", "2023-24", "2024-25"]
FE_SURVEY_YEARS = ["2023-24", "2024-25"]
#: partnership -> (yearly gain, sites as (site id, setting, families, first year, stages by
#: year index as offsets from the first year))
FE_PARTNERSHIPS: dict[str, tuple[float, list[tuple[str, str, int, int, list[str]]]]] = {
    "northside_early_learning": (
        0.45,
        [
            (
                "nel-a",
                "early_childhood_center",
                120,
                0,
                ["coordinator_hired", "full_implementation", "locally_funded"],
            ),
            (
                "nel-b",
                "elementary_school",
                310,
                0,
                ["agreement_signed", "first_activities", "full_implementation"],
            ),
            ("nel-c", "early_childhood_center", 90, 1, ["coordinator_hired", "first_activities"]),
            ("nel-d", "elementary_school", 280, 2, ["agreement_signed"]),
        ],
    ),
    "river_county_families": (
        0.3,
        [
            (
                "rcf-a",
                "k8_school",
                450,
                0,
                ["first_activities", "full_implementation", "full_implementation"],
            ),
            (
                "rcf-b",
                "early_childhood_center",
                140,
                0,
                ["exploring", "agreement_signed", "coordinator_hired"],
            ),
            (
                "rcf-c",
                "elementary_school",
                260,
                0,
                ["agreement_signed", "coordinator_hired", "paused"],
            ),
            ("rcf-d", "elementary_school", 330, 1, ["exploring", "first_activities"]),
            ("rcf-e", "early_childhood_center", 110, 1, ["agreement_signed", "coordinator_hired"]),
        ],
    ),
    "metro_turning_five": (
        0.05,
        [
            (
                "mtf-a",
                "early_childhood_center",
                160,
                0,
                ["coordinator_hired", "first_activities", "first_activities"],
            ),
            (
                "mtf-b",
                "elementary_school",
                350,
                0,
                ["exploring", "agreement_signed", "agreement_signed"],
            ),
            ("mtf-c", "early_childhood_center", 130, 1, ["exploring", "coordinator_hired"]),
        ],
    ),
}
FE_STAGES = [
    "exploring",
    "agreement_signed",
    "coordinator_hired",
    "first_activities",
    "full_implementation",
    "locally_funded",
]
FE_ROLES = {
    # role -> (share of respondents, buy-in offset)
    "district_leader": (0.1, 0.3),
    "site_leader": (0.18, 0.2),
    "teacher_staff": (0.3, -0.35),
    "coordinator": (0.12, 0.5),
    "community_partner": (0.14, 0.1),
    "parent_leader": (0.16, 0.0),
}


def family_engagement(rng: Rng, columns: dict[str, list[str]], folder: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    buy_in = (
        ["bi1_priority", "bi2_time_resources", "bi3_leaders_support", "bi4_add_on"],
        ["bi4_add_on"],
    )
    shared = (
        ["sl1_parents_decide", "sl2_plan_together", "sl3_views_count", "sl4_one_org_decides"],
        ["sl4_one_org_decides"],
    )
    trust = (
        ["ft1_staff_honest", "ft2_staff_care", "ft3_comfortable_raising", "ft4_wary"],
        ["ft4_wary"],
    )
    partner_items = ["pp1_partner", "pp2_leaders"]
    roles = list(FE_ROLES)
    role_p = np.array([FE_ROLES[r][0] for r in roles])
    role_p = role_p / role_p.sum()

    partner_rows: list[Row] = []
    family_rows: list[Row] = []
    for partnership, (gain, sites) in FE_PARTNERSHIPS.items():
        site_ids = [s[0] for s in sites]
        present, _ = panel(rng, FE_SURVEY_YEARS, 14, f"{partnership[:3]}-m", retention=0.75)
        people: dict[str, tuple[str, str | None, float]] = {}
        for k, year in enumerate(FE_SURVEY_YEARS):
            for person in present[year]:
                if person not in people:
                    role = str(rng.choice(roles, p=role_p))
                    site = (
                        None
                        if role in ("district_leader", "community_partner")
                        else str(rng.choice(site_ids))
                    )
                    people[person] = (role, site, float(rng.normal(0, 0.55)))
                role, site, offset = people[person]
                base = 3.3 + FE_ROLES[role][1] + offset
                row: Row = {
                    "partnership_id": partnership,
                    "respondent_id": person,
                    "school_year": year,
                    "site_id": site,
                    "role_level": role,
                }
                row.update(
                    likert_answers(
                        rng, base + gain * k, *buy_in, noise=0.6, easier={"bi1_priority": 0.6}
                    )
                )
                row.update(likert_answers(rng, base - 0.3 + 1.2 * gain * k, *shared, noise=0.6))
                partner_rows.append(row)

        for site, _, _, first, _ in sites:
            years = [y for y in FE_SURVEY_YEARS if FE_YEARS.index(y) >= first]
            fam_present, _ = panel(rng, years, 9, f"{site}-p", retention=0.6)
            families: dict[str, tuple[float, str, str]] = {}
            for year in years:
                k = FE_SURVEY_YEARS.index(year)
                for person in fam_present[year]:
                    if person not in families:
                        families[person] = (
                            float(rng.normal(0, 0.7)),
                            str(rng.choice(["english", "spanish", "other"], p=[0.55, 0.38, 0.07])),
                            str(
                                rng.choice(
                                    ["prek", "kindergarten", "grade_1_3", "grade_4_plus"],
                                    p=[0.35, 0.25, 0.25, 0.15],
                                )
                            ),
                        )
                    offset, language, grade = families[person]
                    row = {
                        "partnership_id": partnership,
                        "site_id": site,
                        "respondent_id": person,
                        "school_year": year,
                        "language": language,
                        "child_grade": grade,
                    }
                    row.update(
                        likert_answers(
                            rng,
                            3.4 + offset + 0.9 * gain * k,
                            *trust,
                            noise=0.55,
                            skip=0.04,
                        )
                    )
                    row.update(
                        likert_answers(
                            rng, 3.2 + offset + 1.1 * gain * k, partner_items, noise=0.5, skip=0.03
                        )
                    )
                    row["activities_attended"] = (
                        None if rng.random() < 0.04 else int(rng.poisson(2.5 + 3.5 * gain * k))
                    )
                    family_rows.append(row)
    counts["partner_survey"] = write_table(
        folder, "partner_survey", columns["partner_survey"], partner_rows
    )
    counts["family_survey"] = write_table(
        folder, "family_survey", columns["family_survey"], family_rows
    )

    site_rows: list[Row] = []
    roster: list[Row] = []
    date_columns = {
        "agreement_signed": "date_agreement_signed",
        "coordinator_hired": "date_coordinator_hired",
        "first_activities": "date_first_activities",
        "full_implementation": "date_full_implementation",
        "locally_funded": "date_locally_funded",
    }
    stage_dates = {
        "agreement_signed": ("09", 2),
        "coordinator_hired": ("10", 20),
        "first_activities": ("11", 10),
        "full_implementation": ("02", 15),
        "locally_funded": ("05", 30),
    }
    child = 1
    for partnership, (gain, sites) in FE_PARTNERSHIPS.items():
        for site, setting, site_families, first, stages in sites:
            reached: dict[str, dt.date] = {}
            best = -1
            for k in range(first, len(FE_YEARS)):
                year = FE_YEARS[k]
                stage = stages[k - first]
                start_year = 2022 + k
                if stage != "paused":
                    target = FE_STAGES.index(stage)
                    # A site that jumps stages reaches each skipped stage that same year.
                    for index in range(best + 1, target + 1):
                        name = FE_STAGES[index]
                        if name in stage_dates and name not in reached:
                            month, day = stage_dates[name]
                            cal_year = start_year + (1 if int(month) <= 6 else 0)
                            reached[name] = dt.date(cal_year, int(month), day)
                    best = max(best, target)
                coordinator = best >= FE_STAGES.index("coordinator_hired") and stage != "paused"
                served = int(site_families * (1 + rng.normal(0, 0.04)))
                participation = np.clip(
                    0.3 + gain * 0.35 * (k - first) + 0.06 * max(best - 2, 0) + rng.normal(0, 0.03),
                    0.05,
                    0.95,
                )
                team = int(rng.integers(5, 11)) if best >= 2 else int(rng.integers(0, 5))
                row = {
                    "partnership_id": partnership,
                    "site_id": site,
                    "school_year": year,
                    "setting": setting,
                    "families_served": served,
                    "families_participating": round(served * participation),
                    "coordinator_in_place": coordinator,
                    "coordinator_fte": (float(rng.choice([0.5, 0.5, 1.0])) if coordinator else 0.0),
                    "leadership_team_members": team,
                    "leadership_team_parents": int(
                        rng.binomial(team, min(0.8, 0.25 + gain * 0.4 * (k - first)))
                    ),
                    "implementation_stage": stage,
                }
                for name, when in reached.items():
                    row[date_columns[name]] = when
                evidence = {
                    "agreement_signed": "signed partnership agreement",
                    "coordinator_hired": "hiring notice",
                    "full_implementation": "implementation checklist",
                    "locally_funded": "district budget line",
                }
                row["evidence"] = "; ".join(v for s, v in evidence.items() if s in reached) or None
                site_rows.append(row)

                if (
                    setting == "k8_school"
                    or setting == "early_childhood_center"
                    or rng.random() < 0.5
                ):
                    strength = gain * (k - first) + (0.15 if coordinator else 0.0)
                    for _ in range(int(rng.integers(5, 10))):
                        disability = rng.random() < 0.22
                        met = rng.random() < np.clip(0.38 + 0.45 * strength, 0, 0.95)
                        roster.append(
                            {
                                "partnership_id": partnership,
                                "site_id": site,
                                "child_id": f"k-{child:04d}",
                                "school_year": year,
                                "pathway": "turning_5_disability" if disability else "prek_to_k",
                                "home_language": str(
                                    rng.choice(
                                        ["english", "spanish", "other"], p=[0.55, 0.37, 0.08]
                                    )
                                ),
                                "transition_meeting": None if rng.random() < 0.03 else bool(met),
                                "enrolled_by_first_day": bool(
                                    rng.random()
                                    < np.clip(
                                        0.78 + 0.15 * strength + (0.05 if met else 0.0), 0, 0.99
                                    )
                                ),
                                "services_in_place_first_day": (
                                    bool(
                                        rng.random()
                                        < np.clip(
                                            0.5 + 0.35 * strength + (0.1 if met else 0.0), 0, 0.97
                                        )
                                    )
                                    if disability
                                    else None
                                ),
                                "attendance_first_month_pct": float(
                                    np.round(
                                        np.clip(rng.normal(86.5 + 8 * strength, 6), 40, 100), 1
                                    )
                                ),
                            }
                        )
                        child += 1
    counts["site_log"] = write_table(folder, "site_log", columns["site_log"], site_rows)
    counts["transition_roster"] = write_table(
        folder, "transition_roster", columns["transition_roster"], roster
    )
    return counts


# --- 4. networks community of practice ----------------------------------------------------

NW_WAVES = ["baseline", "year1", "year2"]
NW_WAVE_MONTHS = {"baseline": "2021-01", "year1": "2021-12", "year2": "2022-12"}
#: network -> (participants, members, uptake 0-1, members in high-need schools share)
NW_NETWORKS = {
    "net_early_career_teachers": (4, 5200, 0.8, 0.41),
    "net_ell_educators": (5, 2600, 0.9, 0.55),
    "net_elementary_leaders": (6, 9800, 0.7, 0.33),
    "net_math_coaches": (4, 3100, 1.0, 0.38),
    "net_principals_of_color": (3, 1400, 0.95, 0.62),
    "net_rural_superintendents": (3, 900, 0.2, 0.29),
    "net_science_teachers": (5, 7400, 0.5, 0.3),
    "net_special_ed_leaders": (4, 2100, 0.6, 0.44),
}


def networks(rng: Rng, columns: dict[str, list[str]], folder: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    relationships = (
        [
            "rl1_know_their_work",
            "rl2_can_call_on",
            "rl3_learn_from_difference",
            "rl4_little_contact",
        ],
        ["rl4_little_contact"],
    )
    equity = (
        ["eq1_explain_effects", "eq2_know_what_to_change", "eq3_unsure_how"],
        ["eq3_unsure_how"],
    )
    names = list(NW_NETWORKS)

    survey: list[Row] = []
    members: list[Row] = []
    for network, (size, _, uptake, _) in NW_NETWORKS.items():
        present, _ = panel(rng, NW_WAVES, size, f"{network[4:8]}-p", retention=0.85)
        people: dict[str, tuple[str, float, bool]] = {}
        for k, wave in enumerate(NW_WAVES):
            for person in present[wave]:
                if person not in people:
                    people[person] = (
                        str(
                            rng.choice(
                                ["executive", "staff", "board_volunteer"], p=[0.35, 0.5, 0.15]
                            )
                        ),
                        float(rng.normal(0, 0.6)),
                        bool(rng.random() < 0.3),
                    )
                role, offset, equity_project = people[person]
                if rng.random() < 0.05:
                    continue  # did not answer this wave
                row: Row = {
                    "network_id": network,
                    "participant_id": person,
                    "wave": wave,
                    "survey_date": day_in_month(rng, NW_WAVE_MONTHS[wave], first=4, last=22),
                    "role": role,
                }
                row.update(
                    likert_answers(
                        rng,
                        2.7 + offset + 0.65 * k * (0.4 + 0.6 * uptake),
                        *relationships,
                        noise=0.5,
                    )
                )
                row.update(likert_answers(rng, 3.0 + offset + 0.4 * k * uptake, *equity, noise=0.5))
                row["colleagues_to_call"] = int(rng.poisson(1.5 + 2.4 * k * (0.3 + 0.7 * uptake)))
                row["formed_partnership"] = bool(
                    rng.random() < [0.2, 0.55, 0.84][k] * (0.6 + 0.4 * uptake)
                )
                row["project_supports_practitioners_of_color"] = (
                    None
                    if k == 0 and rng.random() < 0.3
                    else bool(equity_project or rng.random() < 0.35 * k * uptake)
                )
                survey.append(row)

        sample, _ = panel(rng, NW_WAVES, 12, f"{network[4:8]}-m", retention=0.85)
        level: dict[str, int] = {}
        for k, wave in enumerate(NW_WAVES):
            for member in sample[wave]:
                if member not in level:
                    level[member] = int(rng.choice([1, 1, 1, 1, 2, 2, 2, 3, 4]))
                elif rng.random() < 0.12 + 0.25 * uptake:
                    level[member] = min(4, level[member] + 1)
                elif rng.random() < 0.1:
                    level[member] = max(1, level[member] - 1)
                lvl = level[member]
                members.append(
                    {
                        "network_id": network,
                        "member_id": member,
                        "wave": wave,
                        "member_role": str(
                            rng.choice(
                                [
                                    "teacher",
                                    "school_leader",
                                    "district_leader",
                                    "coach_specialist",
                                    "higher_education",
                                    "other",
                                ],
                                p=[0.4, 0.25, 0.1, 0.15, 0.05, 0.05],
                            )
                        ),
                        "engagement_level": lvl,
                        "gave_feedback": bool(rng.random() < 0.12 + 0.1 * lvl + 0.12 * k * uptake),
                        "shared_resource": bool(rng.random() < 0.03 + 0.12 * (lvl - 1)),
                    }
                )
    counts["participant_survey"] = write_table(
        folder, "participant_survey", columns["participant_survey"], survey
    )
    counts["member_panel"] = write_table(folder, "member_panel", columns["member_panel"], members)

    profile: list[Row] = []
    for network, (_, size, uptake, high_need) in NW_NETWORKS.items():
        for k, wave in enumerate(NW_WAVES):
            total = int(size * (1 + 0.05 * k + rng.normal(0, 0.02)))
            reporting = int(total * rng.uniform(0.6, 0.75))
            leaders = int(rng.integers(12, 25))
            offerings = int(rng.integers(8, 20))
            profile.append(
                {
                    "network_id": network,
                    "wave": wave,
                    "members_total": total,
                    "members_reporting_race": reporting,
                    "members_of_color": int(
                        reporting
                        * np.clip(0.28 + 0.04 * k * uptake + rng.normal(0, 0.03), 0.05, 0.95)
                    ),
                    "leaders_total": leaders,
                    "leaders_of_color": int(rng.binomial(leaders, 0.22 + 0.08 * k * uptake)),
                    "members_high_need_schools": int(
                        total * np.clip(high_need + 0.03 * k * uptake + rng.normal(0, 0.01), 0, 1)
                    ),
                    "offerings_held": offerings,
                    "offerings_co_designed": int(rng.binomial(offerings, 0.08 + 0.12 * k * uptake)),
                    "educators_reached": int(
                        total * rng.uniform(0.5, 0.8) * (1 + 0.08 * k * uptake)
                    ),
                }
            )
    counts["network_profile"] = write_table(
        folder, "network_profile", columns["network_profile"], profile
    )

    practices = [
        "levels_of_engagement",
        "member_feedback_tools",
        "reciprocal_engagement",
        "diversify_membership_leadership",
        "resource_rich_communications",
        "member_resource_collection",
    ]
    order = ["considering", "piloting", "adopted", "embedded"]
    date_columns = {
        "piloting": "date_piloting",
        "adopted": "date_adopted",
        "embedded": "date_embedded",
    }
    adoption: list[Row] = []
    for network, (_, _, uptake, _) in NW_NETWORKS.items():
        chosen = rng.choice(practices, size=int(rng.integers(2, 5)), replace=False)
        for number, practice in enumerate(chosen, start=1):
            stage_index = 0 if rng.random() < 0.8 else 1
            dropped = False
            dates: dict[str, dt.date] = {}
            if stage_index == 1:
                dates["piloting"] = day_in_month(rng, "2020-10")
            for k, wave in enumerate(NW_WAVES):
                if k > 0 and not dropped:
                    if rng.random() < 0.12 * (1.2 - uptake):
                        dropped = True
                    else:
                        steps = int(rng.binomial(2, 0.35 + 0.45 * uptake))
                        for _ in range(steps):
                            if stage_index < len(order) - 1:
                                stage_index += 1
                                name = order[stage_index]
                                month = f"{2021 + k - 1}-{int(rng.integers(3, 11)):02d}"
                                when = day_in_month(rng, month)
                                if dates and when <= max(dates.values()):
                                    when = max(dates.values()) + dt.timedelta(days=14)
                                dates[name] = when
                stage = "dropped" if dropped else order[stage_index]
                row = {
                    "network_id": network,
                    "practice_id": f"{network[4:8]}-x{number}",
                    "wave": wave,
                    "practice": str(practice),
                    "stage": stage,
                }
                for name, when in dates.items():
                    row[date_columns[name]] = when
                evidence = {
                    "piloting": "pilot plan",
                    "adopted": "staff meeting notes",
                    "embedded": "written procedure",
                }
                row["evidence"] = "; ".join(evidence[s] for s in dates) or None
                adoption.append(row)
    counts["practice_adoption"] = write_table(
        folder, "practice_adoption", columns["practice_adoption"], adoption
    )

    collaborations: list[Row] = []
    kinds = [
        "joint_offering",
        "guest_publication",
        "conference_presentation",
        "shared_resource",
        "joint_project",
    ]
    for network, (_, _, uptake, _) in NW_NETWORKS.items():
        number = 1
        for k, wave in enumerate(NW_WAVES):
            for _ in range(int(rng.poisson([0.4, 1.6, 3.0][k] * (0.3 + 0.7 * uptake)))):
                kind = str(rng.choice(kinds, p=[0.3, 0.2, 0.15, 0.25, 0.1]))
                partner = str(rng.choice([n for n in names if n != network]))
                year = {"baseline": 2020, "year1": 2021, "year2": 2022}[wave]
                audience = {
                    "joint_offering": (40, 300),
                    "guest_publication": (500, 8000),
                    "conference_presentation": (30, 250),
                    "shared_resource": (100, 2000),
                    "joint_project": (20, 200),
                }[kind]
                collaborations.append(
                    {
                        "network_id": network,
                        "activity_id": f"{network[4:8]}-c{number:02d}",
                        "wave": wave,
                        "date": day_in_month(rng, f"{year}-{int(rng.integers(1, 13)):02d}"),
                        "partner_network_id": partner,
                        "activity_type": kind,
                        "audience_reached": None
                        if rng.random() < 0.08
                        else int(rng.integers(*audience)),
                    }
                )
                number += 1
    counts["collaboration_log"] = write_table(
        folder, "collaboration_log", columns["collaboration_log"], collaborations
    )
    return counts


# --- README of each data set ----------------------------------------------------------------

STORIES = {
    "organizer-training": (
        "Organizer training: six organizations, 25 organizers, September 2021 to February 2022",
        """Six invented organizations send 2 to 6 organizers each to a six-month organizer training
program (four virtual sessions and a closing Parent Leader Institute). Months (YYYY-MM) are the
periods of every table, so the first month, 2021-09, is the baseline.

- The organizer survey is given at the first session (2021-09), the third (2021-11) and the
  Institute (2022-02). The same organizers answer each round; a few skip a round and about one
  in ten leaves the program. About 3% of answers are blank.
- The training takes hold to different degrees: strongly at eastside_families_united and
  lakeside_parent_power, hardly at all at north_valley_parents, whose organizers barely change.
- One-to-ones are drawn week by week, so `weeks_at_five_plus` agrees with `one_to_ones`.
- Parent leadership teams move up their five-stage ladder at different speeds; local policy
  demands move from identified to implemented, and one is rejected.""",
    ),
    "community-schools-organizing": (
        "Community schools and organizing: six community schools, 2022-23 to 2024-25",
        """Six invented community schools (elementary, middle, high and K-8) over three school
years; 2022-23 is the baseline.

- About 20 families or community members per school answer the spring survey each year;
  about 60% answer again the next year and newcomers replace the rest. About 6% of answers
  are blank (skipped or "don't know").
- Ownership and trust grow at cs_elm_es and cs_alder_es, less at the others; cs_cedar_hs does
  not move and cs_fir_es slips a little.
- The roster follows about 16 engaged families per school up a five-rung participation ladder.
- One row per school per year describes the organizing (partners, committee, officials, money,
  data presentations) and the school (enrollment, chronic absence, conference attendance,
  services). Policy and funding commitments move through proposed, endorsed, adopted, funded
  and renewed; one is rejected.""",
    ),
    "family-engagement-partnerships": (
        "Family-engagement partnerships: three partnerships, 12 sites, 2022-23 to 2024-25",
        """Three invented cross-sector partnerships with 3 to 5 sites each (elementary schools,
K-8 schools and early childhood centers). Site records and the kindergarten transition roster
cover 2022-23 to 2024-25; the partnership and family surveys cover 2023-24 and 2024-25.

- northside_early_learning improves fastest, river_county_families steadily (one of its sites
  pauses), metro_turning_five hardly at all.
- Partnership survey respondents come from every level, from district leaders to parent
  leaders; teachers and staff start with the least buy-in.
- Families answer the family survey at their child's site, about 9 per site per year; about 60%
  answer again the next year. A few answers are blank.
- The transition roster holds one row per child entering kindergarten; about one in five is a
  child with a disability, for whom `services_in_place_first_day` is filled in (blank for the
  others). Sites that join later have no rows for the years before they joined.""",
    ),
    "networks-community-of-practice": (
        "Education networks community of practice: eight networks, baseline, year 1 and year 2",
        """Eight invented education networks take part in a two-year community of practice.
Waves are baseline (before the first convening), year1 and year2.

- Three to six participants per network answer the participant survey at each wave, with a
  little turnover; the share who report a partnership with another member rises from about
  one in eight at baseline to about seven in ten in year 2.
- Each network follows a panel of 12 of its own members up a four-level engagement ladder
  (informed, participant, contributor, co-creator), replacing members who leave.
- The network profile, practice adoption log and collaboration log give the organizational
  and field picture. Uptake differs: net_math_coaches and net_principals_of_color take up
  the new approaches most, net_rural_superintendents least.""",
    ),
}


def write_readme(folder: Path, name: str, seed: int, counts: dict[str, int]) -> None:
    title, story = STORIES[name]
    tables = "\n".join(f"| `{source}.csv` | {rows} |" for source, rows in counts.items())
    text = f"""# {title}

**SYNTHETIC DATA.** Every organization, person, school, site, network and campaign in this
folder is invented. The numbers were drawn from simple random models so that they look like
what programs of this kind collect; they describe no real group and support no finding.

These files are the example data of the bundled framework `{name}` (see
`indicators/{name}/`): one CSV per data source, named by the source id, with exactly the
source's columns. Each file validates against its source and can be scored with the framework.

{story}

| file | rows |
|---|---|
{tables}

## How the files were made

By the seeded generator `examples/data_generators/make_framework_examples.py` (seed {seed}).
Running it again writes the same bytes:

```
python examples/data_generators/make_framework_examples.py {name}
```
"""
    (folder / "README.md").write_text(text, encoding="utf-8")


def write_manifest(folder: Path, name: str, seed: int, tables: list[str]) -> None:
    """The small manifest that makes the folder an example for ``load_example(name)``."""
    manifest = {
        "name": name,
        "description": STORIES[name][0] + " (synthetic).",
        "synthetic": True,
        "note": (
            "SYNTHETIC DATA. Every organization, person, school, site, network and campaign "
            "in this folder is invented; the numbers describe no real group."
        ),
        "seed": seed,
        "framework": name,
        "generator": "examples/data_generators/make_framework_examples.py",
        "tables": tables,
    }
    (folder / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


# --- main --------------------------------------------------------------------------------

GENERATORS: dict[str, tuple[int, Callable[[Rng, dict[str, list[str]], Path], dict[str, int]]]] = {
    # folder name -> (seed, generator)
    "organizer-training": (20210914, organizer_training),
    "community-schools-organizing": (20230401, community_schools),
    "family-engagement-partnerships": (20240901, family_engagement),
    "networks-community-of-practice": (20210115, networks),
}


def generate(out: Path, names: Sequence[str] | None = None) -> dict[str, dict[str, int]]:
    """Write the example CSVs of the named frameworks (default: all four) under ``out``."""
    written: dict[str, dict[str, int]] = {}
    for name in names or list(GENERATORS):
        seed, make = GENERATORS[name]
        columns = columns_of(REPO / "indicators" / name)
        written[name] = make(np.random.default_rng(seed), columns, out / name)
        write_readme(out / name, name, seed, written[name])
        write_manifest(out / name, name, seed, list(written[name]))
        missing = set(columns) - set(written[name])
        if missing:
            raise RuntimeError(f"{name}: no data written for sources {sorted(missing)}")
    return written


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="folder that receives one sub-folder per framework",
    )
    parser.add_argument(
        "names",
        nargs="*",
        metavar="NAME",
        help=f"frameworks to generate (default: all of {', '.join(GENERATORS)})",
    )
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in GENERATORS]
    if unknown:
        parser.error(f"unknown framework(s) {unknown}; choose from {list(GENERATORS)}")
    for name, tables in generate(args.out, args.names or None).items():
        for source, rows in tables.items():
            print(f"{args.out / name / (source + '.csv')}: {rows} rows (synthetic)")


if __name__ == "__main__":
    main()
