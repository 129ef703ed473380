"""Hand-written SQL for the path every patrol scan takes: signing the caller in, reading the
checkpoint, the look-backs of the cheat checks, the round, and storing the scan.

Why not peewee here: peewee renders a query's SQL text afresh on every call, walking the
query's node tree in Python. Rendering a select of a whole Scan row takes ~0.3 ms; SQLite
answers the same indexed look-up in ~0.01 ms. A scan ran about ten queries, so rendering SQL
was most of the cost of a scan. The statements below are plain SQL text, made once per process
and database: ``?`` marks a parameter and becomes ``%s`` on PostgreSQL, and identifiers are
quoted as peewee quotes them, so the same text runs on SQLite and PostgreSQL. Values go into
the database through each field's ``db_value`` and come out through its ``python_value``, as
with peewee, so rows are stored and read exactly as the models would store and read them.

Only this path is written by hand; everything else stays ordinary peewee.
"""

import json
from datetime import datetime

from models import db
from models.tables.accounts import AuthToken, User
from models.tables.patrols import Checkpoint, Round, Scan, Webhook


class Statement:
    """One SQL statement, written with ``?`` for each parameter."""

    def __init__(self, sql: str):
        self.sql = " ".join(sql.split())
        self._text = {}  # the database's parameter mark -> the statement's text

    def execute(self, *params):
        database = db.obj
        text = self._text.get(database.param)
        if text is None:
            text = self._text[database.param] = self.sql.replace("?", database.param)
        return database.execute_sql(text, params)


def columns(model, alias: str) -> str:
    """Every column of a model, in field order, qualified by a table alias."""
    return ", ".join(f'"{alias}"."{f.column_name}"' for f in model._meta.sorted_fields)


def load(model, values):
    """A model instance from a row's values in field order, as a peewee select would give it
    (converted by each field, nothing marked dirty)."""
    obj = model(__no_default__=True)
    obj.__data__ = {
        f.name: f.python_value(v) for f, v in zip(model._meta.sorted_fields, values, strict=True)
    }
    return obj


def insert_new(obj) -> bool:
    """INSERT one model instance with every field (the constructor filled in the defaults),
    unless a row with the same key is stored: then nothing is written and the answer is False.
    (A key met this way is no error, so on PostgreSQL the transaction goes on without a
    savepoint around the insert.)"""
    model = type(obj)
    statement = _INSERTS.get(model)
    if statement is None:
        names = ", ".join(f'"{f.column_name}"' for f in model._meta.sorted_fields)
        marks = ", ".join("?" for _ in model._meta.sorted_fields)
        statement = _INSERTS[model] = Statement(
            f'INSERT INTO "{model._meta.table_name}" ({names}) VALUES ({marks}) '
            "ON CONFLICT DO NOTHING"
        )
    data = obj.__data__
    cursor = statement.execute(*(f.db_value(data.get(f.name)) for f in model._meta.sorted_fields))
    obj._dirty.clear()
    return cursor.rowcount == 1


_INSERTS = {}


# --- signing in ---------------------------------------------------------------------------

_TOKEN_HOLDER = Statement(
    f"""
    SELECT {columns(AuthToken, "t")}, {columns(User, "u")}, "l"."site_id"
    FROM "auth_token" AS "t"
    JOIN "user" AS "u" ON "u"."id" = "t"."user_id"
    LEFT JOIN "user_site" AS "l" ON "l"."user_id" = "u"."id"
    WHERE "t"."digest" = ?
    """
)
_TOKEN_COLUMNS = len(AuthToken._meta.sorted_fields)
_USER_COLUMNS = len(User._meta.sorted_fields)


def token_holder(digest: str) -> tuple[AuthToken, User, list[int]] | None:
    """The token with this digest, its user and the ids of the sites linked to the user, in one
    query (one row per linked site); None for an unknown digest. Revoked, expired and disabled
    are the caller's to judge: every request reads them afresh."""
    rows = _TOKEN_HOLDER.execute(digest).fetchall()
    if not rows:
        return None
    first = rows[0]
    token = load(AuthToken, first[:_TOKEN_COLUMNS])
    user = load(User, first[_TOKEN_COLUMNS : _TOKEN_COLUMNS + _USER_COLUMNS])
    site_ids = sorted(row[-1] for row in rows if row[-1] is not None)
    return token, user, site_ids


# --- recording a scan ---------------------------------------------------------------------

_CHECKPOINTS = f"""
    SELECT {columns(Checkpoint, "c")}, "s"."timezone",
        (SELECT MAX("k"."version") FROM "site_key" AS "k" WHERE "k"."site_id" = "c"."site_id")
    FROM "checkpoint" AS "c"
    JOIN "site" AS "s" ON "s"."id" = "c"."site_id"
"""
_CHECKPOINT = Statement(_CHECKPOINTS + 'WHERE "c"."id" = ? AND "c"."site_id" = ?')


def checkpoint_to_scan(checkpoint_id: int, site_id: int) -> Checkpoint | None:
    """The checkpoint with its site's zone (``site_timezone``) and the site's current key
    version (``current_version``), or None."""
    row = _CHECKPOINT.execute(checkpoint_id, site_id).fetchone()
    return _checkpoint_from_row(row) if row is not None else None


def checkpoints_to_scan(keys) -> dict[tuple[int, int], Checkpoint]:
    """checkpoint_to_scan for many (checkpoint id, site id) pairs in one query: the checkpoints
    found, by their pair (a checkpoint asked for with another site is not found)."""
    keys = set(keys)
    ids = sorted({checkpoint_id for checkpoint_id, _ in keys})
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    rows = Statement(_CHECKPOINTS + f'WHERE "c"."id" IN ({marks})').execute(*ids)
    found = (_checkpoint_from_row(row) for row in rows)
    return {(c.id, c.site_id): c for c in found if (c.id, c.site_id) in keys}


def _checkpoint_from_row(row) -> Checkpoint:
    checkpoint = load(Checkpoint, row[:-2])
    checkpoint.site_timezone, checkpoint.current_version = row[-2], row[-1]
    return checkpoint


_SCANS_AT_CHECKPOINT = Statement(
    """
    SELECT "user_id", "device_id", "effective_at" FROM "scan"
    WHERE "checkpoint_id" = ? AND "effective_at" BETWEEN ? AND ?
    """
)


def scans_at_checkpoint(
    checkpoint_id: int, start: datetime, end: datetime
) -> list[tuple[int, str, datetime]]:
    """(user id, device id, effective time) of the checkpoint's scans in the window: a few rows
    at most, found through the (checkpoint, effective_at) index."""
    convert = Scan.effective_at.python_value
    return [
        (user_id, device_id, convert(at))
        for user_id, device_id, at in _SCANS_AT_CHECKPOINT.execute(
            checkpoint_id, Scan.effective_at.db_value(start), Scan.effective_at.db_value(end)
        )
    ]


# A phone records ~700 scans in a 12-hour shift, nearly all by one person. Reading the phone's
# scans in the window (±12 h) to find another person's grew with every scan of the day; instead
# the query walks the phone's distinct users through the (device_id, user_id, effective_at)
# index, one seek each ("users": the smallest user id, then the next larger one, ...), and asks
# of each other user whether one of their scans with this phone lies in the window: a few seeks
# whatever the number of scans. Runs the same on SQLite and PostgreSQL. The question is a scalar
# sub-select, not EXISTS: PostgreSQL turns an EXISTS into a hash semi-join that reads every scan
# of the phone in the window (0.4 ms at 900 scans, growing through the shift); a scalar
# sub-select stays one seek per user.
_OTHER_USER_OF_DEVICE = Statement(
    """
    WITH RECURSIVE "users" ("user_id") AS (
        SELECT MIN("user_id") FROM "scan" WHERE "device_id" = ?
        UNION ALL
        SELECT (
            SELECT MIN("s"."user_id") FROM "scan" AS "s"
            WHERE "s"."device_id" = ? AND "s"."user_id" > "users"."user_id"
        )
        FROM "users" WHERE "users"."user_id" IS NOT NULL
    )
    SELECT "users"."user_id" FROM "users"
    WHERE "users"."user_id" <> ? AND (
        SELECT 1 FROM "scan" AS "s"
        WHERE "s"."device_id" = ? AND "s"."user_id" = "users"."user_id"
            AND "s"."effective_at" BETWEEN ? AND ?
        LIMIT 1
    ) IS NOT NULL
    LIMIT 1
    """
)


def other_user_of_device(device_id: str, start: datetime, end: datetime, user_id: int):
    """Somebody else who scanned with this phone in the window (a user id), or None."""
    start, end = Scan.effective_at.db_value(start), Scan.effective_at.db_value(end)
    cursor = _OTHER_USER_OF_DEVICE.execute(device_id, device_id, user_id, device_id, start, end)
    row = cursor.fetchone()
    return row[0] if row else None


def other_users_of_devices(device_ids, start: datetime, end: datetime, user_id: int):
    """(device id, user id, effective time) of every scan in the window by somebody else than
    the user with one of these phones; one query for a whole batch of the user's scans."""
    device_ids = sorted(set(device_ids))
    if not device_ids:
        return []
    marks = ", ".join("?" for _ in device_ids)
    rows = Statement(
        f"""
        SELECT "device_id", "user_id", "effective_at" FROM "scan"
        WHERE "device_id" IN ({marks}) AND "user_id" <> ? AND "effective_at" BETWEEN ? AND ?
        """
    ).execute(
        *device_ids, user_id, Scan.effective_at.db_value(start), Scan.effective_at.db_value(end)
    )
    convert = Scan.effective_at.python_value
    return [(device_id, other, convert(at)) for device_id, other, at in rows]


_LAST_SCAN_OF_USER = Statement(
    """
    SELECT "s"."checkpoint_id", "s"."effective_at", "s"."latitude", "s"."longitude",
        "c"."latitude", "c"."longitude"
    FROM "scan" AS "s"
    JOIN "checkpoint" AS "c" ON "c"."id" = "s"."checkpoint_id"
    WHERE "s"."user_id" = ? AND "s"."effective_at" BETWEEN ? AND ?
    ORDER BY "s"."effective_at" DESC
    LIMIT 1
    """
)


def last_scan_of_user(user_id: int, start: datetime, end: datetime):
    """The user's latest scan in the window as (checkpoint id, effective time, scan latitude,
    scan longitude, checkpoint latitude, checkpoint longitude), or None."""
    row = _LAST_SCAN_OF_USER.execute(
        user_id, Scan.effective_at.db_value(start), Scan.effective_at.db_value(end)
    ).fetchone()
    if row is None:
        return None
    return (row[0], Scan.effective_at.python_value(row[1]), *row[2:])


_ROUNDS_OPEN_AT = Statement(
    f"""
    SELECT {columns(Round, "r")} FROM "round" AS "r"
    WHERE "r"."site_id" = ? AND "r"."starts_at" BETWEEN ? AND ? AND "r"."ends_at" >= ?
    """
)


def rounds_open_at(site_id: int, at: datetime, earliest_start: datetime) -> list[Round]:
    """The site's rounds open at ``at``. ``earliest_start`` (``at`` less the longest a round can
    last) bounds the (site, starts_at) index range, so the look-up reads today's rounds, not
    every round the site ever had."""
    to_db = Round.starts_at.db_value
    rows = _ROUNDS_OPEN_AT.execute(site_id, to_db(earliest_start), to_db(at), to_db(at))
    return [load(Round, row) for row in rows]


_CURRENT_CHECKLIST = Statement(
    """
    SELECT "v"."number", "v"."content" FROM "checklist" AS "c"
    JOIN "checklist_version" AS "v"
        ON "v"."checklist_id" = "c"."id" AND "v"."number" = "c"."current_version"
    WHERE "c"."code" = ?
    """
)


def current_checklist(code: str) -> tuple[int, dict] | None:
    """The current version of a checklist: (its number, its content), or None."""
    row = _CURRENT_CHECKLIST.execute(code).fetchone()
    return (row[0], json.loads(row[1])) if row else None


_SAVE_ROUND_GUARD_AND_FLAGS = Statement(
    'UPDATE "round" SET "guard_id" = ?, "flags" = ? WHERE "id" = ?'
)


def save_round_guard_and_flags(round_: Round) -> None:
    """Write the two fields a scan changes on its round."""
    _SAVE_ROUND_GUARD_AND_FLAGS.execute(
        Round.guard.db_value(round_.guard_id), Round.flags.db_value(round_.flags), round_.id
    )


_SITE_HAS_WEBHOOK = Statement(
    'SELECT 1 FROM "webhook" WHERE "site_id" = ? AND "active" = ? LIMIT 1'
)


def site_has_webhook(site_id: int) -> bool:
    """Whether the site has an active webhook (alerts are queued only for those)."""
    return _SITE_HAS_WEBHOOK.execute(site_id, Webhook.active.db_value(True)).fetchone() is not None
