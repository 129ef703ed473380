"""Follow-up promises 服务时限: the response and completion times each kind of follow-up is kept
to (checklists/promises.toml, with a site's own times), and a site's open follow-ups on their
clocks."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit_trail import audit, snapshot
from api.errors import abort
from api.followups.schemas import (
    FollowUpQuerySchema,
    FollowUpSchema,
    OwnTimeQuerySchema,
    OwnTimeSchema,
    SitePromisesSchema,
    SiteQuerySchema,
)
from api.security import OFFICE_ROLES, reference, roles
from models import utcnow, write_transaction
from models.records.followups import open_followups
from models.rules.promises import FROM_CHECKLIST, MAX_SPAN_DAYS, Span, span_days
from models.tables.org import Area, Site
from models.tables.promises import SitePromise, site_promises

blp = Blueprint(
    "followups", __name__, url_prefix="/api/followups", description="Follow-up promises 服务时限"
)

EDITORS = ("admin", "supervisor")
READERS = (*OFFICE_ROLES, "guard")
UNIT_WORDS = {
    "minutes": "分钟",
    "hours": "小时",
    "working_hours": "个工作小时",
    "working_days": "个工作日",
}


def _span(span, own: bool) -> dict | None:
    if span is None or span == FROM_CHECKLIST:
        return None
    return {
        "amount": span.amount,
        "unit": span.unit,
        "text": f"{span.amount:g} {UNIT_WORDS[span.unit]}",
        "own": own,
    }


def present(site: Site) -> dict:
    company = current_app.extensions["xunjian"]["promises"]
    here = site_promises(company, site.id)
    own = {(r.kind, r.clock) for r in SitePromise.select().where(SitePromise.site == site)}
    return {
        "site_id": site.id,
        "working_hours": f"{here.day_start:%H:%M}-{here.day_end:%H:%M}",
        "promises": [
            {
                "kind": p.kind,
                "name": p.name,
                "name_en": p.name_en,
                "source": p.source,
                "respond": _span(p.respond, (p.kind, "respond") in own),
                "resolve": _span(p.resolve, (p.kind, "resolve") in own),
                "escalate": [
                    {"to": s.to, "clock": s.clock, "after": str(s.after) if s.after else ""}
                    for s in p.steps
                ],
            }
            for p in here.kinds.values()
        ],
    }


@blp.route("/promises")
class Promises(MethodView):
    @roles(*OFFICE_ROLES)
    @blp.arguments(SiteQuerySchema, location="query")
    @blp.response(200, SitePromisesSchema)
    def get(self, query):
        """The promises a site keeps: each kind's response and completion times and who hears
        when one breaks (the company's file, with the site's own times marked)."""
        return present(reference(Site, query["site_id"], "site_id"))

    @roles(*EDITORS)
    @blp.arguments(OwnTimeSchema)
    @blp.response(200, SitePromisesSchema)
    def put(self, data):
        """Give a site its own time for one clock (e.g. urgent matters answered within 30
        minutes). Follow-ups reported from now on get it; open ones keep their clocks."""
        site = reference(Site, data["site_id"], "site_id")
        company = current_app.extensions["xunjian"]["promises"]
        promise = company.kinds[data["kind"]]
        if getattr(promise, data["clock"]) in (None, FROM_CHECKLIST):
            abort(
                422,
                "validation_failed",
                "此类跟进没有这个时限（整改按检查表的整改时限）。This kind has no such clock.",
                errors={"json": {"clock": ["not a clock of this kind"]}},
            )
        span = Span(data["amount"], data["unit"])
        if span_days(span) > MAX_SPAN_DAYS:
            abort(
                422,
                "validation_failed",
                f"时限最长 {MAX_SPAN_DAYS} 天。At most {MAX_SPAN_DAYS} days.",
                errors={"json": {"amount": [f"at most {MAX_SPAN_DAYS} days"]}},
            )
        with write_transaction():
            row = SitePromise.get_or_none(
                (SitePromise.site == site)
                & (SitePromise.kind == data["kind"])
                & (SitePromise.clock == data["clock"])
            )
            if row is None:
                row = SitePromise.create(
                    site=site, kind=data["kind"], clock=data["clock"], amount=span.amount,
                    unit=span.unit,
                )  # fmt: skip
                audit("create", row)
            else:
                before = snapshot(row)
                row.amount, row.unit, row.updated_at = span.amount, span.unit, utcnow()
                row.save()
                audit("update", row, before=before)
        return present(site)

    @roles(*EDITORS)
    @blp.arguments(OwnTimeQuerySchema, location="query")
    @blp.response(200, SitePromisesSchema)
    def delete(self, query):
        """Go back to the company's time for one clock of a site."""
        site = reference(Site, query["site_id"], "site_id")
        with write_transaction():
            row = SitePromise.get_or_none(
                (SitePromise.site == site)
                & (SitePromise.kind == query["kind"])
                & (SitePromise.clock == query["clock"])
            )
            if row is not None:
                audit("delete", row)
                row.delete_instance()
        return present(site)


@blp.route("")
class OpenFollowUps(MethodView):
    @roles(*READERS)
    @blp.arguments(FollowUpQuerySchema, location="query")
    @blp.response(200, FollowUpSchema(many=True))
    def get(self, query):
        """A site's open follow-ups (anomalies and rectifications) on their clocks, the
        nearest deadline first: what is late, what nobody answered, what runs."""
        site = reference(Site, query["site_id"], "site_id")
        if query.get("area_id") is not None:
            reference(Area, query["area_id"], "area_id", site_id=site.id)
        return open_followups(site.id, utcnow(), query.get("area_id"))
