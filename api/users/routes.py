"""User accounts and their roles and sites (admins only)."""

from flask.views import MethodView
from flask_smorest import Blueprint

from api.audit_trail import audit, update_audited
from api.errors import abort
from api.extensions import PeeweePage
from api.security import get_or_404, hash_password, reference, roles
from api.users.schemas import UserCreateSchema, UserQuerySchema, UserSchema, UserUpdateSchema
from models import utcnow, write_transaction
from models.tables.accounts import AuthToken, User, UserSite
from models.tables.org import Site, Staff

blp = Blueprint("users", __name__, url_prefix="/api/users", description="User accounts")


def with_site_ids(users):
    users = list(users)
    by_id = {u.id: u for u in users}
    for u in users:
        u.site_ids = []
    if by_id:
        for link in UserSite.select().where(UserSite.user.in_(list(by_id))).order_by(UserSite.site):
            by_id[link.user_id].site_ids.append(link.site_id)
    return users


class UserPage(PeeweePage):
    @property
    def items(self):
        return with_site_ids(super().items)


def check_sites_and_staff(role: str, site_ids: list[int], staff_id: int | None) -> None:
    for site_id in site_ids:
        reference(Site, site_id, "site_ids")
    if role != "admin" and not site_ids:
        abort(
            422,
            "validation_failed",
            "Everyone but an admin works at one site at least.",
            errors={"json": {"site_ids": ["Give at least one site."]}},
        )
    if staff_id is not None:
        staff = reference(Staff, staff_id, "staff_id")
        if role != "admin" and staff.site_id not in site_ids:
            abort(
                422,
                "validation_failed",
                "The linked staff member works at another site.",
                errors={"json": {"staff_id": ["Not at one of this user's sites."]}},
            )


def set_sites(user: User, site_ids: list[int]) -> None:
    UserSite.delete().where(UserSite.user == user).execute()
    for site_id in sorted(set(site_ids)):
        UserSite.create(user=user, site=site_id)


@blp.route("")
class Users(MethodView):
    @roles("admin")
    @blp.arguments(UserQuerySchema, location="query")
    @blp.response(200, UserSchema(many=True))
    @blp.paginate(UserPage)
    def get(self, filters):
        """List user accounts."""
        query = User.select().order_by(User.username)
        if "role" in filters:
            query = query.where(User.role == filters["role"])
        if "active" in filters:
            query = query.where(User.active == filters["active"])
        if "site_id" in filters:
            query = query.join(UserSite).where(UserSite.site == filters["site_id"])
        return query

    @roles("admin")
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Create a user account."""
        site_ids = data.pop("site_ids")
        password = data.pop("password")
        with write_transaction():
            check_sites_and_staff(data["role"], site_ids, data.get("staff_id"))
            user = User.create(password_hash=hash_password(password), **data)
            set_sites(user, site_ids)
            audit("create", user, reason=f"sites {sorted(set(site_ids))}")
        return with_site_ids([user])[0]


@blp.route("/<int:user_id>")
class UserById(MethodView):
    @roles("admin")
    @blp.response(200, UserSchema)
    def get(self, user_id):
        """One user account."""
        return with_site_ids([get_or_404(User, user_id, User.id)])[0]

    @roles("admin")
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, data, user_id):
        """Change a role, sites, password or language; set `active` to false to disable
        (the user's tokens stop working at once)."""
        site_ids = data.pop("site_ids", None)
        password = data.pop("password", None)
        with write_transaction():
            user = get_or_404(User, user_id, User.id)
            role = data.get("role", user.role)
            current_sites = site_ids if site_ids is not None else user.site_ids()
            staff_id = data.get("staff_id", user.staff_id)
            check_sites_and_staff(role, current_sites, staff_id)
            if password is not None:
                data["password_hash"] = hash_password(password)
            update_audited(user, data)
            if site_ids is not None:
                set_sites(user, site_ids)
                audit("set-sites", user, reason=f"sites {sorted(set(site_ids))}")
            if password is not None or data.get("active") is False:
                AuthToken.update(revoked_at=utcnow()).where(
                    (AuthToken.user == user) & AuthToken.revoked_at.is_null()
                ).execute()
        return with_site_ids([user])[0]
