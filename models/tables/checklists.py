"""Checklists in the database: every distinct content of a checklist file is a version, and
inspections point at the version they were made with, so editing a file never changes an old
score."""

import json

from peewee import (
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    IntegrityError,
    TextField,
)

from models import BaseModel, utcnow, write_transaction
from models.files.checklist_files import content_hash


class Checklist(BaseModel):
    code = CharField(max_length=48, unique=True)
    subject = CharField(max_length=16)  # staff | area | checkpoint
    kind = CharField(max_length=16)
    title = CharField(max_length=200)
    title_en = CharField(max_length=200)
    current_version = IntegerField(default=0)
    created_at = DateTimeField(default=utcnow)


class ChecklistVersion(BaseModel):
    checklist = ForeignKeyField(Checklist, backref="versions", on_delete="RESTRICT")
    number = IntegerField()
    content_hash = CharField(max_length=64)
    content = TextField()  # the normalised file as JSON
    loaded_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("checklist", "number"), True), (("checklist", "content_hash"), True))

    @property
    def data(self) -> dict:
        if not hasattr(self, "_data"):
            self._data = json.loads(self.content)
        return self._data


def sync_checklists(checklists: list[dict]) -> list[str]:
    """Record each checklist's content as a new version when it changed; returns what changed.

    Safe to run from several processes at once (two workers starting together): the
    transaction takes the write lock, and a version another process just added is found.
    """
    changes = []
    for attempt in range(2):
        try:
            with write_transaction():
                changes = [c for c in (_sync_one(checklist) for checklist in checklists) if c]
            return changes
        except IntegrityError:
            if attempt:
                raise
    return changes


def _sync_one(data: dict) -> str | None:
    digest = content_hash(data)
    checklist = Checklist.get_or_none(Checklist.code == data["code"])
    if checklist is None:
        checklist = Checklist.create(
            code=data["code"],
            subject=data["subject"],
            kind=data["kind"],
            title=data["title"],
            title_en=data["title_en"],
        )
    existing = ChecklistVersion.get_or_none(
        (ChecklistVersion.checklist == checklist) & (ChecklistVersion.content_hash == digest)
    )
    if existing is not None:
        if checklist.current_version != existing.number:
            # A file reverted to earlier content: that version becomes current again.
            checklist.current_version = existing.number
            checklist.save()
            return f"{data['code']}: back to version {existing.number}"
        return None
    last = ChecklistVersion.select(ChecklistVersion.number).where(
        ChecklistVersion.checklist == checklist
    )
    number = max([v.number for v in last] + [0]) + 1
    ChecklistVersion.create(
        checklist=checklist,
        number=number,
        content_hash=digest,
        content=json.dumps(data, ensure_ascii=False),
    )
    checklist.subject, checklist.kind = data["subject"], data["kind"]
    checklist.title, checklist.title_en = data["title"], data["title_en"]
    checklist.current_version = number
    checklist.save()
    return f"{data['code']}: version {number}"
