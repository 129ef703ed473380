"""Anomalies 异常 found on patrol (a broken light, a leak, a blocked fire exit): follow-up items
with an owner and a state."""

import json

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

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
from models.org import Area, Site, Staff
from models.patrol_records import enqueue_alert
from models.patrols import Anomaly, Checkpoint
from models.photos import Photo

blp = Blueprint("anomalies", __name__, url_prefix="/api/anomalies", description="Anomalies 异常")

FOLLOWERS = ("admin", "supervisor", "manager")


def present(anomaly: Anomaly) -> dict:
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
                "note",
                "reported_by_id",
                "reported_at",
                "owner_id",
                "status",
                "resolved_at",
                "resolved_by_id",
                "resolution_note",
            )
        },
        "photo_ids": json.loads(anomaly.photo_ids),
    }


class AnomalyPage(PeeweePage):
    @property
    def items(self):
        return [present(a) for a in super().items]


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
        with write_transaction():
            anomaly = Anomaly.create(
                id=data["id"],
                site=site,
                checkpoint=data.get("checkpoint_id"),
                area=data.get("area_id"),
                category=data["category"],
                note=data["note"],
                reported_by=g.user,
                photo_ids=json.dumps([str(p) for p in data["photo_ids"]]),
            )
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
        """Give an anomaly an owner, resolve or close it."""
        with write_transaction():
            anomaly = get_or_404(Anomaly, anomaly_id)
            if data.get("owner_id") is not None:
                reference(Staff, data["owner_id"], "owner_id", site_id=anomaly.site_id)
            if data.get("status") in ("resolved", "closed") and anomaly.status == "open":
                data["resolved_at"], data["resolved_by"] = utcnow(), g.user
            update_audited(anomaly, data)
        return present(anomaly)
