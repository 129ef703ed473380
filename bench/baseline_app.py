"""The stack's practical limit for one insert per request: bare Flask + peewee on the same
database settings as the product, with the best connection handling (one connection kept open
per worker process; on PostgreSQL a pooled one). The scan benchmark runs it side by side with
the product.

    BASELINE_DATABASE_URL=sqlite:////path/to/file.db gunicorn -w 2 --chdir bench baseline_app:app
    BASELINE_DATABASE_URL=postgresql://user@host/db  gunicorn -w 2 --chdir bench baseline_app:app
"""

import os
import uuid
from datetime import UTC, datetime

from flask import Flask, jsonify, request
from peewee import CharField, DateTimeField, Model, SqliteDatabase, TextField, UUIDField
from playhouse.db_url import connect

URL = os.environ.get("BASELINE_DATABASE_URL", "sqlite:////tmp/baseline.db")

if URL.startswith(("postgresql://", "postgres://")):
    scheme = URL.split("://", 1)[0]
    db = connect(URL.replace(f"{scheme}://", "postgresql+pool://", 1), stale_timeout=600)
else:
    db = SqliteDatabase(
        URL.removeprefix("sqlite:///"),
        pragmas={
            "journal_mode": "wal",
            "foreign_keys": 1,
            "cache_size": -32000,
            "synchronous": "normal",
            "busy_timeout": 10000,
        },
        timeout=10,
    )


class Scan(Model):
    id = UUIDField(primary_key=True)
    payload = CharField(max_length=300)
    device_at = CharField(max_length=40)
    device_id = CharField(max_length=64)
    server_at = DateTimeField()
    note = TextField(default="")

    class Meta:
        database = db


app = Flask(__name__)


@app.post("/api/scans")
def insert_scan():
    body = request.get_json()
    if db.is_closed():
        db.connect()  # once per worker: the connection stays open (no per-request close)
    with db.atomic():
        Scan.create(
            id=uuid.UUID(body["id"]),
            payload=body["payload"],
            device_at=body["device_at"],
            device_id=body.get("device_id", ""),
            server_at=datetime.now(UTC).replace(tzinfo=None),
        )
    return jsonify({"id": body["id"], "status": "accepted"}), 201


def create_table():
    with db:
        db.create_tables([Scan])
