"""The audit log: who changed what, and when."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit.schemas import AuditEntrySchema, AuditQuerySchema
from api.extensions import PeeweePage, where_equal
from api.security import in_scope, roles
from models.audit import AuditEntry

blp = Blueprint("audit", __name__, url_prefix="/api/audit", description="Audit log of changes")


@blp.route("")
class AuditLog(MethodView):
    @roles("admin", "hr")
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditEntrySchema(many=True))
    @blp.paginate(PeeweePage)
    def get(self, filters):
        """List changes, newest first (HR sees the changes at their sites)."""
        query = in_scope(AuditEntry.select(), AuditEntry.site_id).order_by(AuditEntry.id.desc())
        query = where_equal(query, AuditEntry, filters, "entity", "entity_id", "site_id", "user_id")
        return query
