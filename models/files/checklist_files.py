"""Reading and validating the checklist files in ``checklists/`` (pure: no database).

A bad file stops everything: ``load_directory`` collects every problem, each naming the file,
the item and what is wrong, and raises them together, so the app never starts half-loaded.
"""

import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

from models.rules.monthly import StarRule, check_weights
from models.rules.scoring import GradeBand, check_bands
from models.tables.org import AREA_TYPES, GENDERS, JOBS

SUBJECT_KINDS = {
    "staff": ("grooming", "etiquette"),
    "area": ("cleaning", "greening", "pest_control"),
    "checkpoint": ("checkpoint",),
}
VOCABULARY = {"jobs": JOBS, "genders": GENDERS, "area_types": AREA_TYPES}
TEXT_PAIRS = ("requirement", "fault", "impression")
CODE_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-")
SCORING_FILE = "scoring.toml"
PERFORMANCE_FILE = "performance.toml"
PLANS_FILE = "plans.toml"  # inspection plans, read by models/records/plans.py
PROMISES_FILE = "promises.toml"  # follow-up promises, read by models/tables/promises.py
SETTINGS_FILES = (SCORING_FILE, PERFORMANCE_FILE, PLANS_FILE, PROMISES_FILE)


class ChecklistError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid checklist files:\n  " + "\n  ".join(problems))


@dataclass(frozen=True)
class ScoringSettings:
    pass_mark: float
    critical_cap: float
    bands: tuple[GradeBand, ...]
    # From performance.toml: how the monthly record is put together.
    weights: dict | None = None
    closing_day: int = 28
    stars: StarRule = StarRule()


def _is_code(value) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 48 and set(value) <= CODE_CHARS


def _text(value, limit=500) -> bool:
    return isinstance(value, str) and 0 < len(value.strip()) <= limit


def _check_applies_to(applies_to, where: str, problems: list[str]) -> dict:
    if not isinstance(applies_to, dict):
        problems.append(f"{where}: applies_to must be a table")
        return {}
    clean = {}
    for key, values in applies_to.items():
        if key not in VOCABULARY:
            problems.append(f"{where}: applies_to has unknown key {key!r}")
            continue
        unknown = (
            [v for v in values if v not in VOCABULARY[key]]
            if isinstance(values, list)
            else [values]
        )
        if unknown:
            problems.append(f"{where}: applies_to.{key} has unknown values {unknown}")
        clean[key] = list(values) if isinstance(values, list) else []
    return clean


def _check_item(item: dict, where: str, problems: list[str]) -> dict:
    known = {
        "code",
        "weight",
        "critical",
        "photo_on_fail",
        "source",
        "limit_seconds",
        "applies_to",
        *TEXT_PAIRS,
        *(f"{t}_en" for t in TEXT_PAIRS),
    }
    for key in sorted(set(item) - known):
        problems.append(f"{where}: unknown key {key!r}")
    for key in (*TEXT_PAIRS, *(f"{t}_en" for t in TEXT_PAIRS), "source"):
        if not _text(item.get(key)):
            problems.append(f"{where}: {key} must be a non-empty text of at most 500 characters")
    weight = item.get("weight")
    if not isinstance(weight, int) or isinstance(weight, bool) or not 1 <= weight <= 20:
        problems.append(f"{where}: weight must be a whole number from 1 to 20")
    for key in ("critical", "photo_on_fail"):
        if not isinstance(item.get(key), bool):
            problems.append(f"{where}: {key} must be true or false")
    limit = item.get("limit_seconds")
    if limit is not None and (
        isinstance(limit, bool) or not isinstance(limit, int | float) or limit <= 0
    ):
        problems.append(f"{where}: limit_seconds must be a positive number")
    source = item.get("source", "")
    if isinstance(source, str) and not (source.startswith("《") or "industry practice" in source):
        problems.append(
            f"{where}: source must name a manual (《…》 and section) or say 'industry practice'"
        )
    return {
        **{k: item.get(k) for k in known if k in item},
        "applies_to": _check_applies_to(item.get("applies_to", {}), where, problems),
        "limit_seconds": limit,
    }


def parse_checklist(path: Path, problems: list[str]) -> dict | None:
    """The checklist in ``path``, normalised; problems are appended to ``problems``."""
    name = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(f"{name}: not valid TOML: {exc}")
        return None
    before = len(problems)
    code, subject, kind = raw.get("code"), raw.get("subject"), raw.get("kind")
    _check_header(path, raw, problems)
    hours = _check_rectify_hours(name, raw, problems)
    clean_sections = _check_sections(name, raw.get("sections"), problems)
    applies_to = _check_applies_to(raw.get("applies_to", {}), name, problems)
    if len(problems) > before:
        return None
    return {
        "code": code,
        "subject": subject,
        "kind": kind,
        "title": raw["title"],
        "title_en": raw["title_en"],
        "source": raw["source"],
        "applies_to": applies_to,
        "rules": {"rectify_hours": hours},
        "sections": clean_sections,
    }


def _check_header(path: Path, raw: dict, problems: list[str]) -> None:
    """The checklist's own fields: code (and the file named after it), subject and kind,
    titles and source, and no unknown key."""
    name = path.name
    code, subject, kind = raw.get("code"), raw.get("subject"), raw.get("kind")
    if not _is_code(code):
        problems.append(f"{name}: code must be lowercase letters, digits and '-'")
    elif path.stem != code:
        problems.append(f"{name}: the file must be named after its code ({code}.toml)")
    if subject not in SUBJECT_KINDS:
        problems.append(f"{name}: subject must be one of {sorted(SUBJECT_KINDS)}")
    elif kind not in SUBJECT_KINDS[subject]:
        problems.append(
            f"{name}: kind of a {subject} checklist must be one of {SUBJECT_KINDS[subject]}"
        )
    for key in ("title", "title_en", "source"):
        if not _text(raw.get(key), 200):
            problems.append(f"{name}: {key} must be a non-empty text")
    for key in sorted(
        set(raw)
        - {
            "code",
            "subject",
            "kind",
            "title",
            "title_en",
            "source",
            "applies_to",
            "rules",
            "sections",
        }
    ):
        problems.append(f"{name}: unknown key {key!r}")


def _check_rectify_hours(name: str, raw: dict, problems: list[str]) -> int | None:
    """rules.rectify_hours (24 when not given): a whole number of hours up to 90 days."""
    rules = raw.get("rules", {})
    hours = rules.get("rectify_hours", 24) if isinstance(rules, dict) else None
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= 24 * 90:
        problems.append(f"{name}: rules.rectify_hours must be a whole number of hours (1 to 2160)")
    return hours


def _check_sections(name: str, sections, problems: list[str]) -> list[dict]:
    """The sections, normalised, in order; item codes must be unique across the whole file."""
    if not isinstance(sections, list) or not sections:
        problems.append(f"{name}: at least one [[sections]] is needed")
        sections = []
    seen_items, seen_sections, clean_sections = set(), set(), []
    for s_index, section in enumerate(sections, start=1):
        clean_sections.append(
            _check_section(name, s_index, section, seen_sections, seen_items, problems)
        )
    return clean_sections


def _check_section(
    name: str,
    s_index: int,
    section: dict,
    seen_sections: set,
    seen_items: set,
    problems: list[str],
) -> dict:
    """One section: its code and titles, at least one item, each item checked."""
    s_code = section.get("code")
    where = f"{name}: section {s_code or s_index}"
    if not _is_code(s_code) or s_code in seen_sections:
        problems.append(f"{where}: section code missing, malformed or repeated")
    seen_sections.add(s_code)
    for key in ("title", "title_en"):
        if not _text(section.get(key), 200):
            problems.append(f"{where}: {key} must be a non-empty text")
    items = section.get("items")
    if not isinstance(items, list) or not items:
        problems.append(f"{where}: a section needs at least one item")
        items = []
    clean_items = []
    for i_index, item in enumerate(items, start=1):
        i_code = item.get("code")
        item_where = f"{name}: item {i_code or f'#{i_index} of section {s_code}'}"
        if not _is_code(i_code) or i_code in seen_items:
            problems.append(f"{item_where}: item code missing, malformed or repeated in the file")
        seen_items.add(i_code)
        clean_items.append(_check_item(item, item_where, problems))
    return {
        "code": s_code,
        "title": section.get("title"),
        "title_en": section.get("title_en"),
        "items": clean_items,
    }


def parse_scoring(path: Path, problems: list[str]) -> ScoringSettings | None:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        bands = tuple(
            GradeBand(float(b["floor"]), b["code"], b["name"], b["name_en"]) for b in raw["grades"]
        )
        check_bands(bands)
        settings = ScoringSettings(float(raw["pass_mark"]), float(raw["critical_cap"]), bands)
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        problems.append(f"{path.name}: {exc.__class__.__name__}: {exc}")
        return None
    if not 0 < settings.pass_mark <= 100 or not 0 <= settings.critical_cap <= 100:
        problems.append(f"{path.name}: pass_mark and critical_cap are scores from 0 to 100")
        return None
    return settings


def parse_performance(path: Path, problems: list[str]) -> dict | None:
    """Role weights, the closing day and the service-star rule from performance.toml."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        weights = {
            job: {c: float(w) for c, w in table.items()} for job, table in raw["weights"].items()
        }
        closing_day = int(raw.get("closing_day", 28))
        stars = StarRule(int(raw["stars"]["per_site"]), int(raw["stars"]["min_inspections"]))
    except (
        OSError,
        tomllib.TOMLDecodeError,
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
    ) as exc:
        problems.append(f"{path.name}: {exc.__class__.__name__}: {exc}")
        return None
    found = [f"{path.name}: {p}" for p in check_weights(weights, JOBS)]
    if not 1 <= closing_day <= 28:
        found.append(f"{path.name}: closing_day must be 1 to 28 (every month has it)")
    problems += found
    return None if found else {"weights": weights, "closing_day": closing_day, "stars": stars}


def load_directory(directory: Path) -> tuple[list[dict], ScoringSettings]:
    """Every checklist and the scoring settings, or ChecklistError listing every problem."""
    problems: list[str] = []
    checklists = [
        c
        for path in sorted(directory.glob("*.toml"))
        if path.name not in SETTINGS_FILES
        if (c := parse_checklist(path, problems)) is not None
    ]
    scoring = parse_scoring(directory / SCORING_FILE, problems)
    performance = parse_performance(directory / PERFORMANCE_FILE, problems)
    if scoring is not None and performance is not None:
        scoring = ScoringSettings(
            scoring.pass_mark, scoring.critical_cap, scoring.bands, **performance
        )
    if not checklists and not problems:
        problems.append(f"{directory}: no checklist files found")
    if problems:
        raise ChecklistError(problems)
    return checklists, scoring


def content_hash(checklist: dict) -> str:
    """A fingerprint of the content: the same content is the same version."""
    canonical = json.dumps(checklist, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
