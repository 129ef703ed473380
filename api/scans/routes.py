"""Scans 打卡: a guard proves a visit by scanning a checkpoint's QR code or NFC tag. Each scan
is accepted, accepted with flags (suspicious: for a person to judge) or rejected with a reason."""

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit_trail import audit, snapshot
from api.errors import abort
from api.extensions import ErrorSchema, PeeweePage, where_equal
from api.scans.schemas import (
    BatchOutcomeSchema,
    ScanBatchSchema,
    ScanOutcomeSchema,
    ScanQuerySchema,
    ScanReviewSchema,
    ScanSchema,
    ScanSubmitSchema,
)
from api.security import ALL_ROLES, get_or_404, in_scope, roles, visible_site_ids
from models import JSONField, utcnow, write_transaction
from models.records.patrol_records import ScanInput, record_scan, record_scan_batch
from models.tables.patrols import Scan

blp = Blueprint("scans", __name__, url_prefix="/api/scans", description="Patrol scans 巡更打卡")

SCANNERS = ("guard", "supervisor", "manager", "admin")
REVIEWERS = ("admin", "supervisor", "manager")
DECISIONS_ZH = {"confirmed": "确认属实", "dismissed": "驳回"}
# Schema instances made once: given a class, webargs builds a new schema on every request.
SCAN_SUBMIT, SCAN_BATCH = ScanSubmitSchema(), ScanBatchSchema()


def log_rejected(outcome: dict) -> None:
    if outcome["status"] == "rejected":
        current_app.logger.info("scan %s rejected: %s", outcome["id"], outcome["code"])


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
            ScanInput(**data),
            user=g.user,
            site_ids=visible_site_ids(),
            offline=False,
            now=utcnow(),
            promises=current_app.extensions["xunjian"]["promises"],
        )
        log_rejected(outcome)
        if outcome["status"] == "rejected":
            abort(
                422,
                outcome["code"],
                outcome["message_zh"] + outcome["message"],  # the caller's half is answered
                errors={"json": {"payload": [outcome["message_zh"]]}},
            )
        return outcome

    @roles(*ALL_ROLES)
    @blp.arguments(ScanQuerySchema, location="query")
    @blp.response(200, ScanSchema(many=True))
    @blp.paginate(PeeweePage)
    def get(self, filters):
        """List scans, newest first (guards and staff: their own)."""
        query = in_scope(Scan.select(), Scan.site).order_by(Scan.effective_at.desc())
        if g.user.role in ("guard", "staff"):
            query = query.where(Scan.user == g.user.id)
        query = where_equal(query, Scan, filters, "site_id", "checkpoint_id", "round_id", "user_id")
        if "flagged" in filters:
            query = query.where(
                (Scan.flags != JSONField.EMPTY_LIST)
                if filters["flagged"]
                else (Scan.flags == JSONField.EMPTY_LIST)
            )
        if "reviewed" in filters:
            reviewed = Scan.review_decision.is_null(False)
            query = query.where(reviewed if filters["reviewed"] else ~reviewed)
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
            promises=current_app.extensions["xunjian"]["promises"],
        )
        for outcome in outcomes:
            log_rejected(outcome)
        counts = {
            status: sum(o["status"] == status for o in outcomes)
            for status in ("accepted", "flagged", "rejected")
        }
        return {"outcomes": outcomes, **counts}


@blp.route("/<uuid:scan_id>/review")
class ScanReview(MethodView):
    @roles(*REVIEWERS)
    @blp.arguments(ScanReviewSchema)
    @blp.response(200, ScanSchema)
    def post(self, data, scan_id):
        """Review a flagged scan: the flag was right (confirmed) or a false alarm (dismissed,
        saying why). A scan is reviewed once, and not by the person who made it."""
        with write_transaction():
            scan = get_or_404(Scan, scan_id, message="No such scan.")
            if not scan.flags:
                abort(409, "not_flagged", "此打卡没有异常标记。This scan has no flags to review.")
            if scan.review_decision is not None:
                abort(
                    409,
                    "already_reviewed",
                    f"此打卡已审核（{DECISIONS_ZH[scan.review_decision]}）。"
                    f"This scan was reviewed already: {scan.review_decision}.",
                )
            if scan.user_id == g.user.id:
                abort(409, "own_scan", "不能审核自己的打卡。Somebody else reviews your own scan.")
            before = snapshot(scan)
            review = {
                "reviewed_at": utcnow(),
                "reviewed_by": g.user.id,
                "review_decision": data["decision"],
                "review_note": data["note"].strip(),
            }
            # Only a scan nobody has reviewed yet: of two reviews at once, the second finds the
            # first's decision and is refused, on PostgreSQL as on SQLite.
            if (
                not Scan.update(review)
                .where((Scan.id == scan.id) & Scan.review_decision.is_null())
                .execute()
            ):
                abort(409, "already_reviewed", "此打卡已审核。This scan was reviewed already.")
            for field, value in review.items():
                setattr(scan, field, value)
            audit("review", scan, before=before, reason=data["note"].strip())
        return scan
