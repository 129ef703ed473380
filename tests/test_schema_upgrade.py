"""Upgrading an old database gives exactly the schema the models define.

A database of schema version 1 (tests/schema_v1/, the tables and indexes as the first release
made them) is upgraded with ``upgrade()`` and compared with a database made new from today's
models: the same tables; each column with the same type, nullability, default and primary key;
the same indexes (name, columns, unique) and foreign keys. A migration that forgets a column,
an index or a type change shows here as a difference, named.

SQLite (the default) compares two in-memory databases; on PostgreSQL (TEST_DATABASE_URL) two
schemas of the test database, dropped afterwards.
"""

import re
import uuid
from pathlib import Path

from peewee import SqliteDatabase
from playhouse.db_url import connect

from models import SQLITE_PRAGMAS, db
from models.tables.schema import LATEST_VERSION, MIGRATIONS, current_version, upgrade
from tests.conftest import ON_POSTGRES, PG_URL

V1 = Path(__file__).parent / "schema_v1"
_LENGTH = re.compile(r"\(\d+(,\s*\d+)?\)")


def statements(path: Path) -> list[str]:
    lines = [line for line in path.read_text().splitlines() if not line.startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";\n") if s.strip().rstrip(";")]


def column_shapes(database, table: str, schema: str | None) -> set[tuple]:
    if ON_POSTGRES:
        # peewee's get_columns leaves out the length of a varchar: read it here.
        rows = database.execute_sql(
            "SELECT column_name, data_type, character_maximum_length, numeric_precision, "
            "is_nullable, column_default FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = %s",
            (schema, table),
        ).fetchall()
        primary = {c for c in database.get_primary_keys(table, schema)}
        return {
            (name, kind, length, precision, nullable == "YES", default, name in primary)
            for name, kind, length, precision, nullable, default in rows
        }
    # SQLite does not enforce a declared length (VARCHAR(64) holds any text), so the
    # migrations leave lengths alone there (webhook.secret is widened on PostgreSQL only).
    return {
        (c.name, _LENGTH.sub("", c.data_type).upper(), c.null, c.default, c.primary_key)
        for c in database.get_columns(table, schema)
    }


def shape(database, schema: str | None = None) -> dict[str, dict[str, set]]:
    """Every table's columns, indexes and foreign keys, comparable between two databases."""
    return {
        table: {
            "columns": column_shapes(database, table, schema),
            "indexes": {
                (i.name, tuple(i.columns), i.unique) for i in database.get_indexes(table, schema)
            },
            "foreign keys": {
                (f.column, f.dest_table, f.dest_column)
                for f in database.get_foreign_keys(table, schema)
            },
        }
        for table in database.get_tables(schema)
    }


def differences(upgraded: dict, fresh: dict) -> list[str]:
    found = []
    for table in sorted(set(upgraded) | set(fresh)):
        if table not in upgraded:
            found.append(f"{table}: missing after the upgrade")
        elif table not in fresh:
            found.append(f"{table}: left by the upgrade, not in the models")
        else:
            for part, have in upgraded[table].items():
                want = fresh[table][part]
                found += [f"{table} {part}: missing {x}" for x in sorted(want - have, key=str)]
                found += [f"{table} {part}: unexpected {x}" for x in sorted(have - want, key=str)]
    return found


def open_database(schema: str):
    """A database of its own: in memory on SQLite, a fresh schema on PostgreSQL."""
    if not ON_POSTGRES:
        return SqliteDatabase(":memory:", pragmas=SQLITE_PRAGMAS)
    database = connect(PG_URL, options=f"-c search_path={schema}")
    database.execute_sql(f'CREATE SCHEMA "{schema}"')
    return database


def close_database(database, schema: str) -> None:
    if ON_POSTGRES:
        database.execute_sql(f'DROP SCHEMA "{schema}" CASCADE')
    database.close()


def test_upgrading_a_version_1_database_gives_exactly_the_models_schema():
    run = uuid.uuid4().hex[:8]
    fresh_schema, old_schema = f"fresh_{run}", f"v1_{run}"
    fresh, old = open_database(fresh_schema), open_database(old_schema)
    try:
        db.initialize(fresh)
        assert upgrade()  # made from the models
        db.initialize(old)
        with old.atomic():
            for statement in statements(V1 / ("postgresql.sql" if ON_POSTGRES else "sqlite.sql")):
                old.execute_sql(statement)
        assert current_version() == 1

        done = upgrade()

        assert [line for line in done if line.startswith("migration")] == [
            f"migration {number}: {description}" for number, description, _ in MIGRATIONS
        ]
        assert current_version() == LATEST_VERSION
        upgraded_shape = shape(old, old_schema if ON_POSTGRES else None)
        fresh_shape = shape(fresh, fresh_schema if ON_POSTGRES else None)
        assert len(fresh_shape) > 40  # every table was read
        assert differences(upgraded_shape, fresh_shape) == []
    finally:
        close_database(old, old_schema)
        close_database(fresh, fresh_schema)
