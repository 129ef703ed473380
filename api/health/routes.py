"""Health check for load balancers."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.security import public
from models import db

blp = Blueprint("health", __name__, url_prefix="/api/health", description="Service health")


@blp.route("")
class Health(MethodView):
    @public
    @blp.response(200)
    @blp.alt_response(503, description="The database does not answer")
    def get(self):
        """Is the service up and its database answering?"""
        try:
            db.execute_sql("SELECT 1").fetchone()
        except Exception:  # any database failure means "not healthy", never a 500
            return {"status": "unavailable", "database": "unreachable"}, 503
        return {"status": "ok", "database": "ok"}
