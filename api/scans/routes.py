"""Scans 打卡: a guard proves a visit by scanning a checkpoint's QR code or NFC tag. Each scan
is accepted, accepted with flags (suspicious: for a person to judge) or rejected with a reason."""

import json

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.errors import abort
from api.extensions import ErrorSchema, PeeweePage, where_equal
from api.scans.schemas import (
    BatchOutcomeSchema,
    ScanBatchSchema,
    ScanOutcomeSchema,
    ScanQuerySchema,
    ScanSchema,
    ScanSubmitSchema,
)
from api.security import ALL_ROLES, in_scope, roles, visible_site_ids
from models import utcnow
from models.patrol_records import ScanInput, record_scan, record_scan_batch
from models.patrols import Scan

blp = Blueprint("scans", __name__, url_prefix="/api/scans", description="Patrol scans 巡更打卡")

SCANNERS = ("guard", "supervisor", "manager", "admin")
# Schema instances made once: given a class, webargs builds a new schema on every request.
SCAN_SUBMIT, SCAN_BATCH = ScanSubmitSchema(), ScanBatchSchema()


def log_rejected(outcome: dict) -> None:
    if outcome["status"] == "rejected":
        current_app.logger.info("scan %s rejected: %s", outcome["id"], outcome["code"])


def present(scan: Scan) -> dict:
    return {
        **{
            f: getattr(scan, f)
            for f in (
                "id",
                "site_id",
                "checkpoint_id",
                "round_id",
                "user_id",
                "staff_id",
                "device_id",
                "carrier",
                "device_at",
                "server_at",
                "gap_seconds",
                "latitude",
                "longitude",
                "accuracy_m",
                "note",
            )
        },
        "photo_ids": json.loads(scan.photo_ids),
        "answers": json.loads(scan.answers),
        "flags": json.loads(scan.flags),
    }


class ScanPage(PeeweePage):
    @property
    def items(self):
        return [present(s) for s in super().items]


@blp.route("")
class Scans(MethodView):
    @roles(*SCANNERS)
    @blp.arguments(SCAN_SUBMIT)
    @blp.response(201, ScanOutcomeSchema)
    @blp.alt_response(
        422,
        schema=ErrorSchema,
        description="Rejected: `error` is the reason (malformed, forged, outdated_label, ...)",
    )
    def post(self, data):
        """Record one scan (online). The answer says accepted, flagged, or rejected and why."""
        outcome = record_scan(
            ScanInput(**data), user=g.user, site_ids=visible_site_ids(), offline=False, now=utcnow()
        )
        log_rejected(outcome)
        if outcome["status"] == "rejected":
            abort(
                422,
                outcome["code"],
                outcome["message"],
                errors={"json": {"payload": [outcome["message_zh"]]}},
            )
        return outcome

    @roles(*ALL_ROLES)
    @blp.arguments(ScanQuerySchema, location="query")
    @blp.response(200, ScanSchema(many=True))
    @blp.paginate(ScanPage)
    def get(self, filters):
        """List scans, newest first (guards and staff: their own)."""
        query = in_scope(Scan.select(), Scan.site).order_by(Scan.effective_at.desc())
        if g.user.role in ("guard", "staff"):
            query = query.where(Scan.user == g.user.id)
        query = where_equal(query, Scan, filters, "site_id", "checkpoint_id", "round_id", "user_id")
        if "flagged" in filters:
            query = query.where(
                (Scan.flags != "[]") if filters["flagged"] else (Scan.flags == "[]")
            )
        return query


@blp.route("/batch")
class ScanBatch(MethodView):
    @roles(*SCANNERS)
    @blp.arguments(SCAN_BATCH)
    @blp.response(200, BatchOutcomeSchema)
    def post(self, data):
        """Upload scans taken offline: each gets its own outcome; sending the batch again
        stores nothing twice, and a bad scan does not sink the good ones."""
        outcomes = record_scan_batch(
            [ScanInput(**item) for item in data["scans"]],
            user=g.user,
            site_ids=visible_site_ids(),
            now=utcnow(),
        )
        for outcome in outcomes:
            log_rejected(outcome)
        counts = {
            status: sum(o["status"] == status for o in outcomes)
            for status in ("accepted", "flagged", "rejected")
        }
        return {"outcomes": outcomes, **counts}
