"""Recording a submitted inspection: check the answers against the checklist version, score
them on the server, and open what failures lead to, all in one transaction.

No Flask here: the view hands over plain values and turns a ``Refused`` into its error.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from models import utcnow, write_transaction
from models.records.monthly import month_open_for
from models.records.store_once import store_once
from models.refused import Refused
from models.rules.applicability import applicable_items, applies
from models.rules.offline import CLOCK_TOLERANCE
from models.rules.periods import month_of
from models.rules.scoring import Answer, ItemRule, grade_for, passed, score_inspection
from models.tables.audit import AuditEntry
from models.tables.checklists import ChecklistVersion
from models.tables.inspections import (
    CoachingItem,
    ContractorArea,
    Inspection,
    InspectionItem,
    Rectification,
)
from models.tables.org import Area, Staff, StaffArea
from models.tables.photos import Photo

# Who keeps an area in order, per kind of inspection.
RESPONSIBLE_JOBS = {
    "cleaning": ("cleaner",),
    "greening": ("gardener",),
    "pest_control": ("cleaner", "gardener"),
}
UNRESOLVED = ("open", "done", "reopened")


class RectificationRefused(Exception):
    """A verification the rectification's state does not allow (the view answers 409)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def rectify_due(version_data: dict, start: datetime) -> datetime:
    """When a failed area item must be put right: the checklist's ``rectify_hours`` after
    ``start`` (the failing inspection, or the moment a fix was sent back)."""
    return start + timedelta(hours=version_data["rules"]["rectify_hours"])


def verify_rectification(row: Rectification, outcome: str, note: str, user, now: datetime) -> None:
    """A verifier accepts a reported fix (verified) or sends it back (reopened, due again by the
    checklist's rule from now). Only a fix reported done can be judged: an open or reopened
    one has no fix to look at (a passing re-inspection verifies those by itself)."""
    if row.status == "verified":
        raise RectificationRefused(
            "conflict", "此整改已验收。This rectification is verified already."
        )
    if row.status != "done":
        raise RectificationRefused(
            "not_done",
            "此整改尚未报告完成，不能验收或退回。"
            "This rectification has not been reported done; there is no fix to verify yet.",
        )
    if outcome == "verified":
        row.status, row.verified_at, row.verified_by = "verified", now, user
    else:
        version = ChecklistVersion.get_by_id(row.inspection.checklist_version_id)
        row.status, row.reopen_count = "reopened", row.reopen_count + 1
        row.due_at = rectify_due(version.data, now)
    row.verify_note = note
    row.save()


@dataclass
class Submission:
    id: uuid.UUID
    version: ChecklistVersion
    subject: Staff | Area
    inspected_at: datetime  # naive UTC
    answers: list[dict]  # {code, result, measured_seconds, note, photo_ids}
    inspector: object
    device_id: str = ""
    note: str = ""
    corrects: Inspection | None = None
    correction_reason: str = ""
    request_id: str = ""


def body_hash(submission_body: dict) -> str:
    canonical = json.dumps(submission_body, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _refuse(message: str, field_name: str, detail) -> None:
    raise Refused(
        "validation_failed",
        message,
        errors={"json": {field_name: detail if isinstance(detail, list) else [detail]}},
    )


def check_subject(version: ChecklistVersion, subject) -> dict:
    """The subject's traits, or a refusal when the checklist is not for this person or area."""
    data = version.data
    if isinstance(subject, Staff):
        if data["subject"] != "staff":
            _refuse(
                f"Checklist {data['code']} inspects {data['subject']}s, not staff.",
                "checklist",
                "wrong subject",
            )
        traits = {"job": subject.job, "gender": subject.gender}
    else:
        if data["subject"] != "area":
            _refuse(
                f"Checklist {data['code']} inspects {data['subject']}s, not areas.",
                "checklist",
                "wrong subject",
            )
        traits = {"area_type": subject.area_type}
    if not subject.active:
        _refuse(
            "This subject is no longer active.",
            "staff_id" if isinstance(subject, Staff) else "area_id",
            "inactive",
        )
    if not applies(data["applies_to"], **traits):
        what = ", ".join(f"{k} {v}" for k, v in traits.items())
        _refuse(
            f"Checklist {data['code']} does not apply to {what}.", "checklist", f"not for {what}"
        )
    return traits


def check_answers(version: ChecklistVersion, traits: dict, answers: list[dict]) -> list[dict]:
    """The applicable items, each with its answer; refuses unknown, repeated or missing items."""
    items = applicable_items(version.data, **traits)
    by_code = {item["code"]: item for item in items}
    seen = set()
    problems = {}
    for index, answer in enumerate(answers):
        code = answer["code"]
        if code not in by_code:
            problems[str(index)] = [
                f"{code!r} is not an item of this checklist version for this subject"
            ]
        elif code in seen:
            problems[str(index)] = [f"{code!r} is answered twice"]
        elif by_code[code]["limit_seconds"] is not None and answer["result"] != "na":
            if answer.get("measured_seconds") is None:
                problems[str(index)] = [f"{code!r} is timed: give measured_seconds"]
        seen.add(code)
    if problems:
        raise Refused(
            "validation_failed",
            "Some answers do not fit the checklist.",
            errors={"json": {"items": problems}},
        )
    missing = [code for code in by_code if code not in seen]
    if missing:
        _refuse(
            f"{len(missing)} items are not answered (answer 'na' where an item does not apply).",
            "items",
            [f"missing {code!r}" for code in missing],
        )
    return items


def photo_needed(items: list[dict], answered: list[str]) -> Refused:
    """The refusal of failed items without a photo, naming each item in the standard's own
    words (its requirement), in Chinese and in English; the errors point at each answer."""
    zh = "、".join(f"「{i['requirement']}」" for i in items)
    en = ", ".join(f"“{i.get('requirement_en') or i['requirement']}”" for i in items)
    return Refused(
        "photo_needed",
        f"不合格项须拍照取证：{zh}。A failed item needs a photo as evidence: {en}.",
        errors={
            "json": {
                "items": {
                    str(answered.index(i["code"]) if i["code"] in answered else i["code"]): [
                        f"不合格项须拍照取证：「{i['requirement']}」 / photo needed: {i['code']}"
                    ]
                    for i in items
                }
            }
        },
    )


def check_photos(site_id: int, photo_ids: set[uuid.UUID], inspection_id) -> None:
    if not photo_ids:
        return
    found = {
        p.id: p
        for p in Photo.select().where(Photo.id.in_(list(photo_ids)) & (Photo.site == site_id))
    }
    unknown = [str(pid) for pid in photo_ids if pid not in found]
    taken = [str(p.id) for p in found.values() if p.owner_id and p.owner_id != str(inspection_id)]
    if unknown:
        _refuse("Some photos are unknown at this site (upload them first).", "photo_ids", unknown)
    if taken:
        _refuse("Some photos are already evidence for something else.", "photo_ids", taken)


def responsible_for(area: Area, kind: str) -> tuple[int | None, int | None]:
    """(contractor id, staff id) who must put a failed area item right."""
    link = ContractorArea.get_or_none((ContractorArea.area == area) & (ContractorArea.kind == kind))
    if link is not None:
        return link.contractor_id, None
    staff = (
        Staff.select(Staff.id)
        .join(StaffArea)
        .where(
            (StaffArea.area == area) & Staff.active & Staff.job.in_(RESPONSIBLE_JOBS.get(kind, ()))
        )
        .order_by(Staff.id)
        .first()
    )
    return None, staff.id if staff else None


def _check_inspected_at(inspected_at: datetime, now: datetime, max_age_days: int) -> None:
    """Not in the future beyond a phone clock's tolerance, not older than the offline limit."""
    if inspected_at > now + CLOCK_TOLERANCE:
        _refuse(
            "The inspection time is in the future; check the phone's clock.",
            "inspected_at",
            "in the future",
        )
    if inspected_at < now - timedelta(days=max_age_days):
        _refuse(
            f"Inspections older than {max_age_days} days cannot be submitted.",
            "inspected_at",
            "too old",
        )


def _check_failed_items_have_photos(items: list[dict], results: dict, answers: dict) -> None:
    """Every failed item whose checklist asks for a photo on failure has one."""
    needs_photo = [
        i
        for i in items
        if i["photo_on_fail"]
        and results[i["code"]] == "fail"
        and not answers[i["code"]].get("photo_ids")
    ]
    if needs_photo:
        raise photo_needed(needs_photo, list(answers))


def record_inspection(
    sub: Submission, *, scoring, max_age_days: int, digest: str
) -> tuple[Inspection, bool]:
    """Store the inspection once; returns (inspection, created). A resubmission of the same id
    with the same answers returns the stored one; with other answers it is refused."""
    existing = Inspection.get_or_none(Inspection.id == sub.id)
    if existing is not None:
        return _same_or_conflict(existing, digest), False

    now = utcnow()
    _check_inspected_at(sub.inspected_at, now, max_age_days)
    traits = check_subject(sub.version, sub.subject)
    items = check_answers(sub.version, traits, sub.answers)
    answers = {a["code"]: a for a in sub.answers}
    rules = [ItemRule(i["code"], i["weight"], i["critical"], i["limit_seconds"]) for i in items]
    scored = score_inspection(
        rules,
        [Answer(a["code"], a["result"], a.get("measured_seconds")) for a in sub.answers],
        scoring.critical_cap,
    )
    _check_failed_items_have_photos(items, scored.results, answers)
    site = sub.subject.site
    check_photos(site.id, {pid for a in sub.answers for pid in a.get("photo_ids", [])}, sub.id)

    grade = grade_for(scored.score, scoring.bands)
    is_staff = isinstance(sub.subject, Staff)
    # Dated in a month HR has closed: it counts in the next open month (models/records/monthly.py).
    month = month_open_for(site.id, month_of(sub.inspected_at, site.zone))
    with write_transaction():
        # The first write: a copy stored first (a double tap) stops this one here.
        inspection, created = store_once(
            Inspection(
                id=sub.id,
                site=site,
                checklist=sub.version.checklist_id,
                checklist_version=sub.version,
                kind=sub.version.data["kind"],
                subject_type="staff" if is_staff else "area",
                staff=sub.subject if is_staff else None,
                team=sub.subject.team_id if is_staff else None,
                area=None if is_staff else sub.subject,
                inspector=sub.inspector,
                inspected_at=sub.inspected_at,
                month=month,
                device_id=sub.device_id,
                note=sub.note,
                score=scored.score,
                grade=grade.code if grade else None,
                passed=passed(scored.score, scoring.pass_mark),
                critical_failed=scored.critical_failed,
                corrects=sub.corrects,
                correction_reason=sub.correction_reason,
                body_hash=digest,
            )
        )
        if created:
            InspectionItem.insert_many(
                [
                    {
                        "inspection": inspection.id,
                        "site": site.id,
                        "month": month,
                        "checklist": sub.version.checklist_id,
                        "item_code": item["code"],
                        "section_code": item["section"],
                        "position": position,
                        "result": scored.results[item["code"]],
                        "measured_seconds": answers[item["code"]].get("measured_seconds"),
                        "weight": item["weight"],
                        "critical": item["critical"],
                        "note": answers[item["code"]].get("note", ""),
                        "photo_ids": [str(p) for p in answers[item["code"]].get("photo_ids", [])],
                    }
                    for position, item in enumerate(items)
                ]
            ).execute()
            photo_ids = [pid for a in sub.answers for pid in a.get("photo_ids", [])]
            if photo_ids:
                Photo.update(owner_type="inspection", owner_id=str(inspection.id)).where(
                    Photo.id.in_(photo_ids)
                ).execute()
            if sub.corrects is not None:
                Inspection.update(status="superseded").where(
                    Inspection.id == sub.corrects.id
                ).execute()
                AuditEntry.record(
                    user=sub.inspector,
                    action="correct",
                    entity="inspection",
                    entity_id=inspection.id,
                    site_id=site.id,
                    before={"inspection": str(sub.corrects.id), "score": sub.corrects.score},
                    after={"inspection": str(inspection.id), "score": scored.score},
                    reason=sub.correction_reason,
                    request_id=sub.request_id,
                )
            failed = [i for i in items if scored.results[i["code"]] == "fail"]
            if is_staff:
                for item in failed:
                    CoachingItem.create(
                        site=site, staff=sub.subject, inspection=inspection, item_code=item["code"]
                    )
            else:
                _follow_up_area(inspection, sub, items, scored.results, now)
    if not created:
        return _same_or_conflict(inspection, digest), False
    return inspection, True


def _same_or_conflict(existing: Inspection, digest: str) -> Inspection:
    if existing.body_hash != digest:
        raise Refused(
            "conflict",
            "An inspection with this id was already submitted with other answers; "
            "a submitted inspection is final (submit a correction instead).",
            errors={"json": {"id": ["already submitted"]}},
            status=409,
        )
    return existing


def _follow_up_area(
    inspection: Inspection, sub: Submission, items, results: dict, now: datetime
) -> None:
    """Open a rectification per failed item, and let this inspection settle earlier ones: a
    pass verifies an unresolved rectification of the same item, a fail reopens a 'done' one."""
    area = sub.subject
    kind = sub.version.data["kind"]
    contractor_id, staff_id = responsible_for(area, kind)
    for item in items:
        result = results[item["code"]]
        if result == "na":
            continue
        earlier = Rectification.get_or_none(
            (Rectification.area == area)
            & (Rectification.checklist == sub.version.checklist_id)
            & (Rectification.item_code == item["code"])
            & Rectification.status.in_(UNRESOLVED)
        )
        if result == "pass" and earlier is not None:
            earlier.status, earlier.verified_at = "verified", now
            earlier.verified_by, earlier.closed_by_inspection = sub.inspector, inspection
            earlier.verify_note = "re-inspection passed"
            earlier.save()
        elif result == "fail" and earlier is not None:
            if earlier.status == "done":
                earlier.status, earlier.reopen_count = "reopened", earlier.reopen_count + 1
                earlier.due_at = rectify_due(sub.version.data, sub.inspected_at)
                earlier.verify_note = "re-inspection failed"
                earlier.save()
        elif result == "fail":
            Rectification.create(
                site=inspection.site_id,
                area=area,
                inspection=inspection,
                checklist=sub.version.checklist_id,
                item_code=item["code"],
                assignee=staff_id,
                contractor=contractor_id,
                due_at=rectify_due(sub.version.data, sub.inspected_at),
            )
