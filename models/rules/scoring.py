"""Scoring an inspection against its checklist, and grading a score.

The rule (documented in checklists/README.md):
- an item answered ``na`` drops out; a timed item is judged from its measured seconds;
- score = 100 x (weights passed) / (weights answered pass or fail), one decimal;
- no applicable item at all -> no score (None), shown as missing, never as 0 or 100;
- a failed critical (red-line) item flags the inspection and caps the score;
- the grade is the first band whose floor the score reaches (five bands 五级制);
- pass/fail compares the score with the pass mark.
"""

from dataclasses import dataclass

RESULTS = ("pass", "fail", "na")


@dataclass(frozen=True)
class ItemRule:
    code: str
    weight: int
    critical: bool = False
    limit_seconds: float | None = None


@dataclass(frozen=True)
class Answer:
    code: str
    result: str  # pass | fail | na
    measured_seconds: float | None = None


@dataclass(frozen=True)
class Score:
    score: float | None
    critical_failed: bool
    results: dict[str, str]  # item code -> the judged result


@dataclass(frozen=True)
class GradeBand:
    floor: float  # the lowest score in the band
    code: str  # A..E
    name: str  # 优秀 ...
    name_en: str


DEFAULT_BANDS = (
    GradeBand(90, "A", "优秀", "Excellent"),
    GradeBand(80, "B", "良好", "Good"),
    GradeBand(70, "C", "合格", "Satisfactory"),
    GradeBand(60, "D", "基本合格", "Needs improvement"),
    GradeBand(0, "E", "不合格", "Unsatisfactory"),
)


def judge_item(rule: ItemRule, answer: Answer) -> str:
    """The result that counts: a timed item passes only within its limit, whatever was ticked."""
    if answer.result not in RESULTS:
        raise ValueError(f"unknown result {answer.result!r}")
    if rule.limit_seconds is None or answer.result == "na":
        return answer.result
    if answer.measured_seconds is None:
        raise ValueError(f"item {rule.code} is timed: a measurement in seconds is needed")
    return "pass" if answer.measured_seconds <= rule.limit_seconds else "fail"


def score_inspection(rules: list[ItemRule], answers: list[Answer], critical_cap: float) -> Score:
    """Score the answers; every answer must belong to a rule (the caller checks which)."""
    by_code = {rule.code: rule for rule in rules}
    results = {a.code: judge_item(by_code[a.code], a) for a in answers}
    counted = [by_code[code] for code, result in results.items() if result != "na"]
    total = sum(rule.weight for rule in counted)
    critical_failed = any(results[r.code] == "fail" and r.critical for r in counted)
    if total == 0:
        return Score(None, critical_failed, results)
    earned = sum(rule.weight for rule in counted if results[rule.code] == "pass")
    score = round(100 * earned / total, 1)
    if critical_failed:
        score = min(score, critical_cap)
    return Score(score, critical_failed, results)


def grade_for(
    score: float | None, bands: tuple[GradeBand, ...] = DEFAULT_BANDS
) -> GradeBand | None:
    if score is None:
        return None
    for band in sorted(bands, key=lambda b: b.floor, reverse=True):
        if score >= band.floor:
            return band
    raise ValueError(f"no grade band covers {score}; the lowest band must start at 0")


def passed(score: float | None, pass_mark: float) -> bool | None:
    return None if score is None else score >= pass_mark


def check_bands(bands: tuple[GradeBand, ...]) -> None:
    """Five bands, distinct floors, one starting at 0 (so every score has a grade)."""
    if len(bands) != 5:
        raise ValueError("grading uses five bands 五级制")
    floors = [b.floor for b in bands]
    if len(set(floors)) != 5 or min(floors) != 0 or max(floors) > 100:
        raise ValueError("band floors must be distinct, between 0 and 100, the lowest 0")
