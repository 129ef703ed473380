"""Checkpoints 巡更点 and their signed codes: printable QR labels and NFC payloads."""

import uuid

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit_trail import audit, update_audited
from api.checkpoints.schemas import (
    CheckpointCreateSchema,
    CheckpointQuerySchema,
    CheckpointSchema,
    CheckpointUpdateSchema,
    CodeSchema,
    SheetQuerySchema,
)
from api.errors import abort
from api.extensions import PeeweePage, where_equal
from api.labels_address import label_base_url
from api.security import ALL_ROLES, get_or_404, in_scope, reference, roles
from models import write_transaction
from models.files.labels import Label, label_png, sheet_pdf
from models.rules.qr_signing import make_token, ndef_uri_record, scan_url
from models.tables.checklists import Checklist
from models.tables.org import Area, Site
from models.tables.patrols import Checkpoint
from models.tables.site_keys import current_key

blp = Blueprint(
    "checkpoints", __name__, url_prefix="/api/checkpoints", description="Checkpoints 巡更点"
)

PRINTERS = ("admin", "supervisor")


def code_for(checkpoint: Checkpoint) -> dict:
    key = current_key(checkpoint.site_id)
    token = make_token(
        "c", checkpoint.site_id, checkpoint.id, key.version, bytes.fromhex(key.secret)
    )
    url = scan_url(label_base_url(), token)
    return {
        "token": token,
        "url": url,
        "key_version": key.version,
        "ndef_hex": ndef_uri_record(url).hex(),
    }


def label_for(checkpoint: Checkpoint, site: Site, area: Area) -> Label:
    return Label(
        url=code_for(checkpoint)["url"],
        title=checkpoint.name,
        subtitle=f"{area.name} · {site.name}",
        short_code=checkpoint.code,
    )


def check_checklist(code: str | None) -> None:
    if code is None:
        return
    checklist = Checklist.get_or_none(Checklist.code == code)
    if checklist is None or checklist.subject != "checkpoint":
        abort(
            422,
            "validation_failed",
            "No checkpoint checklist with this code.",
            errors={"json": {"checklist": ["not a checkpoint checklist"]}},
        )


@blp.route("")
class Checkpoints(MethodView):
    @roles(*ALL_ROLES)
    @blp.arguments(CheckpointQuerySchema, location="query")
    @blp.response(200, CheckpointSchema(many=True))
    @blp.paginate(PeeweePage)
    def get(self, filters):
        """List checkpoints of my sites."""
        query = in_scope(Checkpoint.select(), Checkpoint.site).order_by(
            Checkpoint.site, Checkpoint.code
        )
        query = where_equal(query, Checkpoint, filters, "site_id", "area_id", "active")
        return query

    @roles("admin")
    @blp.arguments(CheckpointCreateSchema)
    @blp.response(201, CheckpointSchema)
    def post(self, data):
        """Add a checkpoint to an area; its code is given by the server."""
        with write_transaction():
            area = reference(Area, data["area_id"], "area_id")
            check_checklist(data.get("checklist"))
            checkpoint = Checkpoint.create(site=area.site_id, code=uuid.uuid4().hex[:16], **data)
            checkpoint.code = f"{area.site.code}-C-{checkpoint.id:04d}"
            checkpoint.save()
            audit("create", checkpoint)
        return checkpoint


@blp.route("/<int:checkpoint_id>")
class CheckpointById(MethodView):
    @roles(*ALL_ROLES)
    @blp.response(200, CheckpointSchema)
    def get(self, checkpoint_id):
        """One checkpoint."""
        return get_or_404(Checkpoint, checkpoint_id)

    @roles("admin")
    @blp.arguments(CheckpointUpdateSchema)
    @blp.response(200, CheckpointSchema)
    def patch(self, data, checkpoint_id):
        """Change a checkpoint; set `active` to false to retire it."""
        with write_transaction():
            checkpoint = get_or_404(Checkpoint, checkpoint_id)
            if "area_id" in data:
                reference(Area, data["area_id"], "area_id", site_id=checkpoint.site_id)
            check_checklist(data.get("checklist"))
            update_audited(checkpoint, data)
        return checkpoint


@blp.route("/<int:checkpoint_id>/code")
class CheckpointCode(MethodView):
    @roles(*PRINTERS)
    @blp.response(200, CodeSchema)
    def get(self, checkpoint_id):
        """The signed code of a checkpoint: the URL on its QR label and its NFC tag."""
        return code_for(get_or_404(Checkpoint, checkpoint_id))


@blp.route("/<int:checkpoint_id>/label.png")
class CheckpointLabel(MethodView):
    @roles(*PRINTERS)
    @blp.response(200, content_type="image/png")
    def get(self, checkpoint_id):
        """One printable label (PNG, 300 dpi)."""
        checkpoint = get_or_404(Checkpoint, checkpoint_id)
        png = label_png(label_for(checkpoint, checkpoint.site, checkpoint.area))
        return Response(png, mimetype="image/png", headers={"Cache-Control": "private, no-store"})


@blp.route("/sheet.pdf")
class CheckpointSheet(MethodView):
    @roles(*PRINTERS)
    @blp.arguments(SheetQuerySchema, location="query")
    @blp.response(200, content_type="application/pdf")
    def get(self, filters):
        """A4 sheets of labels for a site's (or an area's) active checkpoints (PDF)."""
        site = reference(Site, filters["site_id"], "site_id")
        query = (
            Checkpoint.select(Checkpoint, Area)
            .join(Area)
            .where((Checkpoint.site == site) & Checkpoint.active)
            .order_by(Checkpoint.code)
        )
        if "area_id" in filters:
            query = query.where(Checkpoint.area == filters["area_id"])
        labels = [label_for(cp, site, cp.area) for cp in query]
        if not labels:
            abort(404, "not_found", "No active checkpoints to print.")
        filename = f"checkpoints-{site.code}.pdf"
        return Response(
            sheet_pdf(labels),
            mimetype="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Cache-Control": "private, no-store",
            },
        )
