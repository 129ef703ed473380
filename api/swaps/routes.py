"""Greeting shift swaps: a manager asks a colleague to swap; it takes effect when the colleague
accepts (and a supervisor approves, where the site requires it)."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.errors import abort, refuse
from api.security import get_or_404, in_scope, roles
from api.swaps.schemas import SwapQuerySchema, SwapRequestSchema, SwapSchema
from models import utcnow, write_transaction
from models.records.greeting_records import apply_swap, local_today, request_swap, settings_for
from models.refused import Refused
from models.tables.greeting import GreetingShift, SwapRequest
from models.tables.org import Site

blp = Blueprint(
    "swaps", __name__, url_prefix="/api/greeting/swaps", description="Greeting shift swaps"
)

MANAGERS = ("manager", "supervisor", "admin")


def pending_swap(swap_id: int, *states: str) -> SwapRequest:
    swap = get_or_404(SwapRequest, swap_id)
    if swap.status not in states:
        abort(409, "conflict", f"This swap is {swap.status}.")
    return swap


@blp.route("")
class Swaps(MethodView):
    @roles(*MANAGERS, "hr")
    @blp.arguments(SwapQuerySchema, location="query")
    @blp.response(200, SwapSchema(many=True))
    def get(self, filters):
        """Swap requests at my sites, newest first."""
        query = in_scope(SwapRequest.select(), SwapRequest.site).order_by(SwapRequest.id.desc())
        for field in ("site_id", "status"):
            if field in filters:
                query = query.where(getattr(SwapRequest, field) == filters[field])
        return list(query.limit(200))

    @roles(*MANAGERS)
    @blp.arguments(SwapRequestSchema)
    @blp.response(201, SwapSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, data):
        """Ask a colleague to swap one of my shifts for one of theirs."""
        shift = get_or_404(GreetingShift, data["shift_id"])
        other = get_or_404(GreetingShift, data["other_shift_id"])
        site = Site.get_by_id(shift.site_id)
        with write_transaction():
            try:
                return request_swap(shift, other, g.user, local_today(site, utcnow()))
            except Refused as exc:
                refuse(exc)


@blp.route("/<int:swap_id>/accept")
class SwapAccept(MethodView):
    @roles(*MANAGERS)
    @blp.response(200, SwapSchema)
    def post(self, swap_id):
        """Accept a swap offered to me."""
        with write_transaction():
            swap = pending_swap(swap_id, "pending")
            other = GreetingShift.get_by_id(swap.other_shift_id)
            if other.manager_id != g.user.staff_id:
                abort(403, "forbidden", "Only the colleague asked can accept this swap.")
            site = Site.get_by_id(swap.site_id)
            if (
                GreetingShift.get_by_id(swap.shift_id).day < local_today(site, utcnow())
                or other.check_in_at
            ):
                abort(422, "past_shift", "A shift that has begun or passed cannot be swapped.")
            if settings_for(site).swap_needs_supervisor:
                swap.status, swap.responded_at = "accepted", utcnow()
                swap.save()
            else:
                apply_swap(swap, utcnow())
        return swap


@blp.route("/<int:swap_id>/approve")
class SwapApprove(MethodView):
    @roles("supervisor", "admin")
    @blp.response(200, SwapSchema)
    def post(self, swap_id):
        """Approve an accepted swap (sites that require a supervisor's approval)."""
        with write_transaction():
            swap = pending_swap(swap_id, "accepted")
            swap.approved_by = g.user
            apply_swap(swap, utcnow())
        return swap


@blp.route("/<int:swap_id>/decline")
class SwapDecline(MethodView):
    @roles(*MANAGERS)
    @blp.response(200, SwapSchema)
    def post(self, swap_id):
        """Decline (the colleague or a supervisor) or withdraw (the requester) a swap."""
        with write_transaction():
            swap = pending_swap(swap_id, "pending", "accepted")
            mine = swap.requested_by_id == g.user.id
            theirs = GreetingShift.get_by_id(swap.other_shift_id).manager_id == g.user.staff_id
            if not (mine or theirs or g.user.role in ("supervisor", "admin")):
                abort(403, "forbidden", "This swap is not yours to decline.")
            swap.status, swap.responded_at = ("cancelled" if mine else "declined"), utcnow()
            swap.save()
        return swap
