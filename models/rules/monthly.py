"""The monthly performance record 员工月度考核 as plain functions.

- composite: the weighted average of the components that have data; weights renormalise over
  what exists, so a guard with no etiquette inspection this month is judged on the rest, and a
  person with no data at all has no composite (missing, never 0);
- quarter: the average of the quarter's monthly composites that exist (five grades at quarter
  end, 《全面客户服务体系》7.4.2–7.4.3);
- service stars 服务标兵: per site, the highest composites among people who passed with grade A,
  no red-line failure and enough inspections; ties go to more inspections, then employee number.
"""

from dataclasses import dataclass

COMPONENTS = ("grooming", "etiquette", "greeting", "patrol", "area", "followup")


@dataclass(frozen=True)
class StarRule:
    per_site: int = 3
    min_inspections: int = 2


def composite(values: dict[str, float | None], weights: dict[str, float]) -> float | None:
    """Weighted average over the components with data, renormalised; None when none has data."""
    present = [
        (weights[c], values[c]) for c in weights if values.get(c) is not None and weights[c] > 0
    ]
    total = sum(w for w, _ in present)
    if not present or total == 0:
        return None
    return round(sum(w * v for w, v in present) / total, 1)


def quarter_score(monthly: list[float | None]) -> float | None:
    """The quarter's score: the average of the monthly composites that exist."""
    present = [m for m in monthly if m is not None]
    return round(sum(present) / len(present), 1) if present else None


def service_stars(records: list[dict], rule: StarRule) -> list[dict]:
    """The month's service stars among one site's records (each with composite, grade, passed,
    critical_failed, inspections, employee_no)."""
    eligible = [
        r for r in records
        if r["passed"] and r["grade"] == "A" and not r["critical_failed"]
        and r["inspections"] >= rule.min_inspections
    ]  # fmt: skip
    eligible.sort(key=lambda r: (-r["composite"], -r["inspections"], r["employee_no"]))
    return eligible[: rule.per_site]


def check_weights(weights: dict[str, dict[str, float]], jobs: tuple[str, ...]) -> list[str]:
    """Problems with a weights table: unknown jobs or components, negative or all-zero weights,
    a job without weights."""
    problems = []
    for job, table in weights.items():
        if job not in jobs:
            problems.append(f"unknown job {job!r}")
        for component, weight in table.items():
            if component not in COMPONENTS:
                problems.append(f"{job}: unknown component {component!r}")
            if not isinstance(weight, int | float) or isinstance(weight, bool) or weight < 0:
                problems.append(f"{job}: weight of {component} must be a number of 0 or more")
        if not any(isinstance(w, int | float) and w > 0 for w in table.values()):
            problems.append(f"{job}: at least one weight must be above 0")
    problems += [f"no weights for job {job!r}" for job in jobs if job not in weights]
    return problems
