"""Anomalies 异常 found on patrol (a broken light, a leak, a blocked fire exit): follow-up items
with an owner and a state."""

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint
from peewee import JOIN

from api.anomalies.schemas import (
    AnomalyQuerySchema,
    AnomalyReportSchema,
    AnomalySchema,
    AnomalyUpdateSchema,
)
from api.audit_trail import update_audited
from api.errors import abort
from api.extensions import PeeweePage, where_equal
from api.security import ALL_ROLES, get_or_404, in_scope, reference, roles
from models import utcnow, write_transaction
from models.records.followups import start_anomaly_clock
from models.records.webhooks import enqueue_alert
from models.rules.promises import clock_state, default_urgency
from models.tables.accounts import User
from models.tables.checklists import Checklist, ChecklistVersion
from models.tables.org import Area, Site, Staff
from models.tables.patrols import Anomaly, Checkpoint, Scan
from models.tables.photos import Photo

blp = Blueprint("anomalies", __name__, url_prefix="/api/anomalies", description="Anomalies 异常")

FOLLOWERS = ("admin", "supervisor", "manager")


def present(anomaly: Anomaly, names: dict | None = None) -> dict:
    """An anomaly with what tells it apart from its neighbours at other sites: the site, area,
    checkpoint and reporter by name, and for a failed check item the item in the checklist's
    own words (``item``) and the guard's note without the item's code."""
    names = names if names is not None else describe([anomaly])
    item = names["items"].get(anomaly.id)
    note = anomaly.note
    if item is not None and note.startswith(f"{item['code']}:"):
        note = note[len(item["code"]) + 1 :].strip()
    return {
        **{
            f: getattr(anomaly, f)
            for f in (
                "id",
                "site_id",
                "checkpoint_id",
                "area_id",
                "scan_id",
                "category",
                "reported_by_id",
                "reported_at",
                "owner_id",
                "status",
                "resolved_at",
                "resolved_by_id",
                "resolution_note",
                "urgency",
                "respond_due_at",
                "resolve_due_at",
                "responded_at",
            )
        },
        "promise": anomaly.promise_kind or None,
        "clock": clock_state(
            utcnow(),
            anomaly.respond_due_at,
            anomaly.responded_at is not None,
            anomaly.resolve_due_at,
            anomaly.status != "open",
        ),
        "note": note,
        "photo_ids": anomaly.photo_ids,
        "site_name": names["sites"].get(anomaly.site_id, ""),
        "area_name": names["areas"].get(anomaly.area_id),
        "checkpoint_name": names["checkpoints"].get(anomaly.checkpoint_id),
        "reported_by_name": names["users"].get(anomaly.reported_by_id, ""),
        "item": item,
    }


def describe(anomalies: list[Anomaly]) -> dict:
    """The names behind a page of anomalies, a few queries for the whole page."""

    def ids(field):
        return list({getattr(a, field) for a in anomalies if getattr(a, field) is not None})

    names = {
        "sites": {
            s.id: s.name for s in Site.select(Site.id, Site.name).where(Site.id.in_(ids("site_id")))
        },
        "areas": {
            a.id: a.name for a in Area.select(Area.id, Area.name).where(Area.id.in_(ids("area_id")))
        },
        "checkpoints": {
            c.id: c
            for c in Checkpoint.select(Checkpoint.id, Checkpoint.name, Checkpoint.checklist).where(
                Checkpoint.id.in_(ids("checkpoint_id"))
            )
        },
        "users": {
            u.id: u.name
            for u in User.select(User, Staff)
            .join(Staff, JOIN.LEFT_OUTER)
            .where(User.id.in_(ids("reported_by_id")))
        },
        "items": {},
    }
    failed = [a for a in anomalies if a.category == "check_item_failed" and a.scan_id]
    scans = {
        s.id: s.answers
        for s in Scan.select(Scan.id, Scan.answers).where(Scan.id.in_([a.scan_id for a in failed]))
    }
    versions: dict = {}
    for anomaly in failed:
        checkpoint = names["checkpoints"].get(anomaly.checkpoint_id)
        code = anomaly.note.split(":", 1)[0]
        answer = next((a for a in scans.get(anomaly.scan_id, []) if a["code"] == code), None)
        if checkpoint is None or not checkpoint.checklist or answer is None:
            continue
        key = (checkpoint.checklist, answer.get("checklist_version"))
        if key not in versions:
            version = (
                ChecklistVersion.select()
                .join(Checklist)
                .where((Checklist.code == key[0]) & (ChecklistVersion.number == key[1]))
                .first()
            )
            versions[key] = {
                i["code"]: i
                for s in (version.data["sections"] if version else [])
                for i in s["items"]
            }
        text = versions[key].get(code)
        if text is not None:
            names["items"][anomaly.id] = {
                k: text.get(k) or ""
                for k in ("code", "requirement", "requirement_en", "fault", "fault_en")
            }
    names["checkpoints"] = {i: c.name for i, c in names["checkpoints"].items()}
    return names


class AnomalyPage(PeeweePage):
    @property
    def items(self):
        rows = list(super().items)
        names = describe(rows)
        return [present(a, names) for a in rows]


@blp.route("")
class Anomalies(MethodView):
    @roles(*ALL_ROLES)
    @blp.arguments(AnomalyQuerySchema, location="query")
    @blp.response(200, AnomalySchema(many=True))
    @blp.paginate(AnomalyPage)
    def get(self, filters):
        """List anomalies of my sites, newest first."""
        query = in_scope(Anomaly.select(), Anomaly.site).order_by(Anomaly.reported_at.desc())
        query = where_equal(
            query, Anomaly, filters, "site_id", "checkpoint_id", "area_id", "status", "category"
        )
        return query

    @roles(*ALL_ROLES)
    @blp.arguments(AnomalyReportSchema)
    @blp.response(201, AnomalySchema)
    def post(self, data):
        """Report an anomaly with a note and photos (resending the same id is safe)."""
        existing = Anomaly.get_or_none(Anomaly.id == data["id"])
        if existing is not None:
            if existing.reported_by_id != g.user.id:
                abort(409, "conflict", "This id is taken; make a new one.")
            return present(existing)
        site = reference(Site, data["site_id"], "site_id")
        if data.get("checkpoint_id") is not None:
            checkpoint = reference(
                Checkpoint, data["checkpoint_id"], "checkpoint_id", site_id=site.id
            )
            data.setdefault("area_id", checkpoint.area_id)
        if data.get("area_id") is not None:
            reference(Area, data["area_id"], "area_id", site_id=site.id)
        photos = list(Photo.select().where(Photo.id.in_(data["photo_ids"]) & (Photo.site == site)))
        if len(photos) != len(set(data["photo_ids"])) or any(p.owner_id for p in photos):
            abort(
                422,
                "validation_failed",
                "Unknown photos, or photos already used.",
                errors={"json": {"photo_ids": ["unknown or already used"]}},
            )
        promises = current_app.extensions["xunjian"]["promises"]
        with write_transaction():
            anomaly = Anomaly(
                id=data["id"],
                site=site,
                checkpoint=data.get("checkpoint_id"),
                area=data.get("area_id"),
                category=data["category"],
                urgency=data.get("urgency") or default_urgency(data["category"], promises),
                note=data["note"],
                reported_by=g.user,
                reported_at=utcnow(),
                photo_ids=[str(p) for p in data["photo_ids"]],
            )
            start_anomaly_clock(anomaly, site, promises)
            anomaly.save(force_insert=True)
            if data["photo_ids"]:
                Photo.update(owner_type="anomaly", owner_id=str(anomaly.id)).where(
                    Photo.id.in_(data["photo_ids"])
                ).execute()
            enqueue_alert(
                site.id,
                "anomaly.opened",
                f"anomaly.opened:{anomaly.id}",
                {"anomaly_id": str(anomaly.id), "category": anomaly.category, "note": anomaly.note},
            )
        return present(anomaly)


@blp.route("/<uuid:anomaly_id>")
class AnomalyById(MethodView):
    @roles(*ALL_ROLES)
    @blp.response(200, AnomalySchema)
    def get(self, anomaly_id):
        """One anomaly."""
        return present(get_or_404(Anomaly, anomaly_id))

    @roles(*FOLLOWERS)
    @blp.arguments(AnomalyUpdateSchema)
    @blp.response(200, AnomalySchema)
    def patch(self, data, anomaly_id):
        """Give an anomaly an owner, resolve or close it. The first such answer from the office
        stops its respond clock."""
        with write_transaction():
            anomaly = get_or_404(Anomaly, anomaly_id)
            if data.get("owner_id") is not None:
                reference(Staff, data["owner_id"], "owner_id", site_id=anomaly.site_id)
            if data.get("status") in ("resolved", "closed") and anomaly.status == "open":
                data["resolved_at"], data["resolved_by"] = utcnow(), g.user
            if anomaly.responded_at is None and data:
                data["responded_at"] = utcnow()
            update_audited(anomaly, data)
        return present(anomaly)
