"""Sites 项目/管理处: the managed properties."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit_trail import audit, update_audited
from api.extensions import PeeweePage
from api.security import ALL_ROLES, get_or_404, in_scope, roles
from api.sites.schemas import (
    KeyVersionSchema,
    SiteCreateSchema,
    SiteQuerySchema,
    SiteSchema,
    SiteUpdateSchema,
)
from models import write_transaction
from models.tables.org import Site
from models.tables.site_keys import rotate_key

blp = Blueprint("sites", __name__, url_prefix="/api/sites", description="Sites 项目")


@blp.route("")
class Sites(MethodView):
    @roles(*ALL_ROLES)
    @blp.arguments(SiteQuerySchema, location="query")
    @blp.response(200, SiteSchema(many=True))
    @blp.paginate(PeeweePage)
    def get(self, filters):
        """List the sites I may see."""
        query = in_scope(Site.select(), Site.id).order_by(Site.name)
        if "active" in filters:
            query = query.where(Site.active == filters["active"])
        if "site_type" in filters:
            query = query.where(Site.site_type == filters["site_type"])
        return query

    @roles("admin")
    @blp.arguments(SiteCreateSchema)
    @blp.response(201, SiteSchema)
    def post(self, data):
        """Create a site."""
        with write_transaction():
            site = Site.create(**data)
            audit("create", site)
        return site


@blp.route("/<int:site_id>")
class SiteById(MethodView):
    @roles(*ALL_ROLES)
    @blp.response(200, SiteSchema)
    def get(self, site_id):
        """One site."""
        return get_or_404(Site, site_id, Site.id)

    @roles("admin")
    @blp.arguments(SiteUpdateSchema)
    @blp.response(200, SiteSchema)
    def patch(self, data, site_id):
        """Change a site; set `active` to false to close it (sites are never deleted)."""
        with write_transaction():
            site = get_or_404(Site, site_id, Site.id)
            update_audited(site, data)
        return site


@blp.route("/<int:site_id>/rotate-key")
class SiteKeyRotation(MethodView):
    @roles("admin")
    @blp.response(200, KeyVersionSchema)
    def post(self, site_id):
        """Re-key a site: every QR label and NFC tag printed before stops working (reprint them)."""
        site = get_or_404(Site, site_id, Site.id)
        with write_transaction():
            key = rotate_key(site.id)
            audit("rotate-key", site, reason=f"key version {key.version}")
        return {"site_id": site.id, "key_version": key.version}
