"""Storing once what a phone may send more than once (scans, greeting checks, inspections,
photos: each has an id the phone made, so a retry or an offline upload sent again is the same
row)."""

from models.records import hot_sql


def store_once(row):
    """Insert a model instance unless a row with its key is stored: ``(row, True)`` when this
    insert stored it, else ``(the stored row, False)``.

    INSERT … ON CONFLICT DO NOTHING, then a read of the stored row, the same on SQLite and on
    PostgreSQL: no IntegrityError is met, so on PostgreSQL the caller's transaction goes on (a
    failed insert would abort it), and a copy racing this one in another transaction is waited
    for by the insert and then read back (on SQLite the write transaction runs alone)."""
    if hot_sql.insert_new(row):
        return row, True
    return type(row).get_by_id(row._pk), False
