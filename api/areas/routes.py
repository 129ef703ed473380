"""Areas 区域 of a site: lobby, lifts, garage, garden ..."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.areas.schemas import AreaCreateSchema, AreaQuerySchema, AreaSchema, AreaUpdateSchema
from api.audit_trail import audit, update_audited
from api.extensions import PeeweePage, where_equal
from api.security import ALL_ROLES, get_or_404, in_scope, reference, roles
from models import write_transaction
from models.tables.org import Area, Site

blp = Blueprint("areas", __name__, url_prefix="/api/areas", description="Areas 区域 of a site")


@blp.route("")
class Areas(MethodView):
    @roles(*ALL_ROLES)
    @blp.arguments(AreaQuerySchema, location="query")
    @blp.response(200, AreaSchema(many=True))
    @blp.paginate(PeeweePage)
    def get(self, filters):
        """List areas of my sites."""
        query = in_scope(Area.select(), Area.site).order_by(Area.site, Area.name)
        query = where_equal(query, Area, filters, "site_id", "area_type", "active")
        return query

    @roles("admin")
    @blp.arguments(AreaCreateSchema)
    @blp.response(201, AreaSchema)
    def post(self, data):
        """Add an area to a site."""
        with write_transaction():
            reference(Site, data["site_id"], "site_id")
            area = Area.create(**data)
            audit("create", area)
        return area


@blp.route("/<int:area_id>")
class AreaById(MethodView):
    @roles(*ALL_ROLES)
    @blp.response(200, AreaSchema)
    def get(self, area_id):
        """One area."""
        return get_or_404(Area, area_id)

    @roles("admin")
    @blp.arguments(AreaUpdateSchema)
    @blp.response(200, AreaSchema)
    def patch(self, data, area_id):
        """Change an area; set `active` to false to retire it."""
        with write_transaction():
            area = get_or_404(Area, area_id)
            update_audited(area, data)
        return area
