"""Teams 班组 within a site, the unit HR compares."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit_trail import audit, update_audited
from api.extensions import PeeweePage, where_equal
from api.security import ALL_ROLES, get_or_404, in_scope, reference, roles
from api.teams.schemas import TeamCreateSchema, TeamQuerySchema, TeamSchema, TeamUpdateSchema
from models import write_transaction
from models.tables.org import Site, Team

blp = Blueprint("teams", __name__, url_prefix="/api/teams", description="Teams 班组 of a site")


@blp.route("")
class Teams(MethodView):
    @roles(*ALL_ROLES)
    @blp.arguments(TeamQuerySchema, location="query")
    @blp.response(200, TeamSchema(many=True))
    @blp.paginate(PeeweePage)
    def get(self, filters):
        """List teams of my sites."""
        query = in_scope(Team.select(), Team.site).order_by(Team.site, Team.name)
        query = where_equal(query, Team, filters, "site_id", "active")
        return query

    @roles("admin", "hr")
    @blp.arguments(TeamCreateSchema)
    @blp.response(201, TeamSchema)
    def post(self, data):
        """Add a team to a site."""
        with write_transaction():
            reference(Site, data["site_id"], "site_id")
            team = Team.create(**data)
            audit("create", team)
        return team


@blp.route("/<int:team_id>")
class TeamById(MethodView):
    @roles(*ALL_ROLES)
    @blp.response(200, TeamSchema)
    def get(self, team_id):
        """One team."""
        return get_or_404(Team, team_id)

    @roles("admin", "hr")
    @blp.arguments(TeamUpdateSchema)
    @blp.response(200, TeamSchema)
    def patch(self, data, team_id):
        """Rename or retire a team."""
        with write_transaction():
            team = get_or_404(Team, team_id)
            update_audited(team, data)
        return team
