"""Patrol routes 巡更路线: an ordered list of checkpoints with the expected minutes between them."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit_trail import audit, update_audited
from api.extensions import PeeweePage, where_equal
from api.patrol_routes.schemas import (
    PatrolRouteCreateSchema,
    PatrolRouteQuerySchema,
    PatrolRouteSchema,
    PatrolRouteUpdateSchema,
)
from api.security import ALL_ROLES, get_or_404, in_scope, reference, roles
from models import write_transaction
from models.tables.org import Site
from models.tables.patrols import Checkpoint, Route, RouteStop

blp = Blueprint(
    "patrol_routes", __name__, url_prefix="/api/patrol-routes", description="Patrol routes 巡更路线"
)


def with_stops(routes):
    routes = list(routes)
    by_id = {r.id: r for r in routes}
    for r in routes:
        r.stops_list = []
    if by_id:
        for stop in (
            RouteStop.select().where(RouteStop.route.in_(list(by_id))).order_by(RouteStop.position)
        ):
            by_id[stop.route_id].stops_list.append(
                {"checkpoint_id": stop.checkpoint_id, "offset_minutes": stop.offset_minutes}
            )
    return [
        {
            **{f: getattr(r, f) for f in ("id", "site_id", "name", "active", "created_at")},
            "stops": r.stops_list,
        }
        for r in routes
    ]


def set_stops(route: Route, stops: list[dict]) -> None:
    for stop in stops:
        checkpoint = reference(Checkpoint, stop["checkpoint_id"], "stops", site_id=route.site_id)
        if not checkpoint.active:
            reference(Checkpoint, None, "stops")
    RouteStop.delete().where(RouteStop.route == route).execute()
    RouteStop.insert_many(
        [
            {
                "route": route.id,
                "checkpoint": s["checkpoint_id"],
                "position": i,
                "offset_minutes": s["offset_minutes"],
            }
            for i, s in enumerate(stops)
        ]
    ).execute()


class RoutePage(PeeweePage):
    @property
    def items(self):
        return with_stops(super().items)


@blp.route("")
class PatrolRoutes(MethodView):
    @roles(*ALL_ROLES)
    @blp.arguments(PatrolRouteQuerySchema, location="query")
    @blp.response(200, PatrolRouteSchema(many=True))
    @blp.paginate(RoutePage)
    def get(self, filters):
        """List patrol routes of my sites."""
        query = in_scope(Route.select(), Route.site).order_by(Route.site, Route.name)
        query = where_equal(query, Route, filters, "site_id", "active")
        return query

    @roles("admin", "supervisor")
    @blp.arguments(PatrolRouteCreateSchema)
    @blp.response(201, PatrolRouteSchema)
    def post(self, data):
        """Create a route from checkpoints of one site."""
        with write_transaction():
            reference(Site, data["site_id"], "site_id")
            route = Route.create(site=data["site_id"], name=data["name"])
            set_stops(route, data["stops"])
            audit("create", route)
        return with_stops([route])[0]


@blp.route("/<int:route_id>")
class PatrolRouteById(MethodView):
    @roles(*ALL_ROLES)
    @blp.response(200, PatrolRouteSchema)
    def get(self, route_id):
        """One route with its stops."""
        return with_stops([get_or_404(Route, route_id)])[0]

    @roles("admin", "supervisor")
    @blp.arguments(PatrolRouteUpdateSchema)
    @blp.response(200, PatrolRouteSchema)
    def patch(self, data, route_id):
        """Change a route; rounds already made keep the stops they were made with."""
        stops = data.pop("stops", None)
        with write_transaction():
            route = get_or_404(Route, route_id)
            update_audited(route, data)
            if stops is not None:
                set_stops(route, stops)
                audit("set-stops", route, reason=str(stops))
        return with_stops([route])[0]
