"""Shift hand-over 交接班: every open matter of a post is listed for the incoming guard, who
acknowledges it (seed 002, key process control: hand over every open matter at shift change)."""

from datetime import UTC, timedelta

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.errors import abort
from api.extensions import PeeweePage, where_equal
from api.handovers.schemas import HandoverCreateSchema, HandoverQuerySchema, HandoverSchema
from api.security import in_scope, reference, roles
from models import utcnow, write_transaction
from models.records.followups import open_followups
from models.records.patrol_records import SHIFT_HOURS, live_state
from models.tables.org import Post
from models.tables.patrols import Anomaly, Checkpoint, Handover, Round

blp = Blueprint(
    "handovers", __name__, url_prefix="/api/handovers", description="Shift hand-over 交接班"
)

ON_DUTY = ("admin", "supervisor", "manager", "guard")


def open_matters(post: Post, now) -> dict:
    """What the incoming guard must know: open anomalies, checkpoints missed this past shift,
    rounds overdue now, and every open follow-up (anomalies and rectifications) with its
    promise's clock. Times are written in the site's zone, as the hand-over is read there."""
    zone = post.site.zone

    def local(moment):
        return moment.replace(tzinfo=UTC).astimezone(zone).isoformat() if moment else None

    anomalies = Anomaly.select().where((Anomaly.site == post.site_id) & (Anomaly.status == "open"))
    if post.area_id is not None:
        anomalies = anomalies.where(Anomaly.area == post.area_id)
    since = now - timedelta(hours=SHIFT_HOURS)
    judged = Round.select().where(
        (Round.site == post.site_id) & (Round.ends_at >= since) & (Round.status != "open")
    )
    missed_ids = {cp for r in judged for cp in r.missed_checkpoints}
    names = (
        {c.id: c.name for c in Checkpoint.select().where(Checkpoint.id.in_(list(missed_ids)))}
        if missed_ids
        else {}
    )
    open_rounds = Round.select().where(
        (Round.site == post.site_id) & (Round.status == "open") & (Round.starts_at < now)
    )
    return {
        "open_anomalies": [
            {
                "id": str(a.id),
                "category": a.category,
                "note": a.note,
                "reported_at": local(a.reported_at),
            }
            for a in anomalies
        ],
        "missed_checkpoints": [
            {"checkpoint_id": cp, "name": names.get(cp, "")} for cp in sorted(missed_ids)
        ],
        "open_followups": [
            {
                **item,
                **{k: local(item[k]) for k in ("reported_at", "respond_due_at", "resolve_due_at")},
            }
            for item in open_followups(post.site_id, now, post.area_id)
        ],
        "overdue_rounds": [
            {"round_id": r.id, "starts_at": local(r.starts_at)}
            for r in open_rounds
            if live_state(r, now)["state"] == "overdue"
        ],
    }


def present(handover: Handover) -> dict:
    return {
        **{
            f: getattr(handover, f)
            for f in (
                "id",
                "site_id",
                "post_id",
                "outgoing_id",
                "created_at",
                "note",
                "incoming_id",
                "acknowledged_at",
            )
        },
        # Who handed over and who took over, by name: the people reading it know names.
        "outgoing_name": handover.outgoing.name,
        "incoming_name": handover.incoming.name if handover.incoming_id else None,
        **handover.content,
    }


class HandoverPage(PeeweePage):
    @property
    def items(self):
        return [present(h) for h in super().items]


@blp.route("")
class Handovers(MethodView):
    @roles(*ON_DUTY)
    @blp.arguments(HandoverQuerySchema, location="query")
    @blp.response(200, HandoverSchema(many=True))
    @blp.paginate(HandoverPage)
    def get(self, filters):
        """List hand-overs, newest first."""
        query = in_scope(Handover.select(), Handover.site).order_by(Handover.created_at.desc())
        query = where_equal(query, Handover, filters, "site_id", "post_id")
        if "acknowledged" in filters:
            query = query.where(Handover.acknowledged_at.is_null(not filters["acknowledged"]))
        return query

    @roles(*ON_DUTY)
    @blp.arguments(HandoverCreateSchema)
    @blp.response(201, HandoverSchema)
    def post(self, data):
        """End my shift at a post: list its open matters for the incoming guard."""
        post = reference(Post, data["post_id"], "post_id")
        now = utcnow()
        with write_transaction():
            handover = Handover.create(
                site=post.site_id,
                post=post,
                outgoing=g.user,
                note=data["note"],
                content=open_matters(post, now),
            )
        return present(handover)


@blp.route("/<int:handover_id>/acknowledge")
class HandoverAcknowledge(MethodView):
    @roles(*ON_DUTY)
    @blp.response(200, HandoverSchema)
    def post(self, handover_id):
        """Take over the shift: I have read the open matters."""
        with write_transaction():
            handover = (
                in_scope(Handover.select(), Handover.site).where(Handover.id == handover_id).first()
            )
            if handover is None:
                abort(404, "not_found", "No such hand-over.")
            if handover.outgoing_id == g.user.id:
                abort(
                    409,
                    "conflict",
                    "The incoming guard acknowledges a hand-over, not the outgoing one.",
                )
            if handover.acknowledged_at is not None:
                abort(409, "conflict", "This hand-over was acknowledged already.")
            handover.incoming, handover.acknowledged_at = g.user, utcnow()
            handover.save()
        return present(handover)
