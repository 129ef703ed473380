"""Settings of this installation that the office needs to see (read-only: they are set by the
operator, see README 'Configuration')."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.labels_address import label_address_report
from api.security import roles
from api.settings.schemas import LabelSettingsSchema

blp = Blueprint(
    "settings", __name__, url_prefix="/api/settings", description="Installation settings"
)


@blp.route("/labels")
class LabelSettings(MethodView):
    @roles("admin", "supervisor")
    @blp.response(200, LabelSettingsSchema)
    def get(self):
        """The address printed labels will carry, and a warning when phones may not reach it."""
        return label_address_report()
