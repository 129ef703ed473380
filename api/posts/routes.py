"""Posts 岗位: the gate post, the lobby post, the service desk."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit_trail import audit, update_audited
from api.extensions import PeeweePage, where_equal
from api.posts.schemas import PostCreateSchema, PostQuerySchema, PostSchema, PostUpdateSchema
from api.security import ALL_ROLES, get_or_404, in_scope, reference, roles
from models import write_transaction
from models.tables.org import Area, Post, Site

blp = Blueprint("posts", __name__, url_prefix="/api/posts", description="Posts 岗位 of a site")


@blp.route("")
class Posts(MethodView):
    @roles(*ALL_ROLES)
    @blp.arguments(PostQuerySchema, location="query")
    @blp.response(200, PostSchema(many=True))
    @blp.paginate(PeeweePage)
    def get(self, filters):
        """List posts of my sites."""
        query = in_scope(Post.select(), Post.site).order_by(Post.site, Post.name)
        query = where_equal(query, Post, filters, "site_id", "kind", "active")
        return query

    @roles("admin")
    @blp.arguments(PostCreateSchema)
    @blp.response(201, PostSchema)
    def post(self, data):
        """Add a post to a site."""
        with write_transaction():
            reference(Site, data["site_id"], "site_id")
            if data.get("area_id") is not None:
                reference(Area, data["area_id"], "area_id", site_id=data["site_id"])
            post = Post.create(**data)
            audit("create", post)
        return post


@blp.route("/<int:post_id>")
class PostById(MethodView):
    @roles(*ALL_ROLES)
    @blp.response(200, PostSchema)
    def get(self, post_id):
        """One post."""
        return get_or_404(Post, post_id)

    @roles("admin")
    @blp.arguments(PostUpdateSchema)
    @blp.response(200, PostSchema)
    def patch(self, data, post_id):
        """Change a post; set `active` to false to retire it."""
        with write_transaction():
            post = get_or_404(Post, post_id)
            if data.get("area_id") is not None:
                reference(Area, data["area_id"], "area_id", site_id=post.site_id)
            update_audited(post, data)
        return post
