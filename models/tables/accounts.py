"""Accounts: users, the sites they may see, bearer tokens and the login throttle."""

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
)

from models import BaseModel, utcnow
from models.tables.org import Site, Staff

ROLES = ("admin", "hr", "supervisor", "manager", "guard", "staff")


class User(BaseModel):
    username = CharField(max_length=64, unique=True)
    display_name = CharField(max_length=100, default="")
    password_hash = CharField(max_length=255)
    role = CharField(max_length=16)
    staff = ForeignKeyField(Staff, null=True, unique=True, backref="users", on_delete="RESTRICT")
    language = CharField(max_length=8, default="zh")
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    @property
    def is_company_wide(self) -> bool:
        """Admins see every site; everybody else only the sites they are linked to."""
        return self.role == "admin"

    @property
    def name(self) -> str:
        """The name people know this account by: its display name, else its person's name, else
        the username."""
        return self.display_name or (self.staff.name if self.staff_id else self.username)

    def site_ids(self) -> list[int]:
        return [link.site_id for link in UserSite.select().where(UserSite.user == self)]


class UserSite(BaseModel):
    user = ForeignKeyField(User, backref="site_links", on_delete="CASCADE")
    site = ForeignKeyField(Site, backref="user_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("user", "site"), True),)


class AuthToken(BaseModel):
    """A bearer token. Only a keyed digest is stored: a copy of the table logs nobody in."""

    user = ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    digest = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    revoked_at = DateTimeField(null=True)


class LoginThrottle(BaseModel):
    """Failed sign-ins counted per name typed and the address they came from, and per name
    from all addresses together (``address_digest`` is ``EVERYWHERE``): too many within the
    window lock the name for that address, or, after many more, for everyone, for a while.
    Name and address are kept only as keyed digests: people type passwords into the name
    field."""

    EVERYWHERE = "*"  # never a digest (those are hex)

    name_digest = CharField(max_length=64)
    address_digest = CharField(max_length=64)
    failures = IntegerField(default=0)
    window_started_at = DateTimeField(default=utcnow)
    locked_until = DateTimeField(null=True)

    class Meta:
        indexes = ((("name_digest", "address_digest"), True),)
