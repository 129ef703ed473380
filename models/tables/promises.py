"""Follow-up promises 服务时限: reading checklists/promises.toml, a site's own promises, and the
record of each escalation taken. The rule itself (spans, working time, which step is due) is
models/rules/promises.py; keeping the clocks is models/records/followups.py."""

import tomllib
from pathlib import Path

from peewee import CharField, DateTimeField, FloatField, ForeignKeyField

from models import BaseModel, JSONField, utcnow
from models.files.checklist_files import PROMISES_FILE, ChecklistError
from models.rules.promises import Promises, Span, parse_promises
from models.tables.org import Site
from models.tables.patrols import ANOMALY_CATEGORIES


class SitePromise(BaseModel):
    """A site's own time for one clock of one kind of follow-up, replacing the file's (e.g. a
    site whose contract promises urgent matters answered within 30 minutes)."""

    site = ForeignKeyField(Site, backref="promises", on_delete="CASCADE")
    kind = CharField(max_length=24)  # models/rules/promises.KINDS
    clock = CharField(max_length=8)  # respond | resolve
    amount = FloatField()
    unit = CharField(max_length=16)  # models/rules/promises.UNITS
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("site", "kind", "clock"), True),)


class Escalation(BaseModel):
    """One escalation step taken for a broken promise: whom it went to and when. Unique per
    follow-up, step and deadline, so each step happens once however many ticks run (a
    rectification sent back gets a new deadline, and its steps may happen again for it)."""

    site = ForeignKeyField(Site, on_delete="CASCADE")
    item_type = CharField(max_length=16)  # anomaly | rectification
    item_id = CharField(max_length=36)
    step = CharField(max_length=16)  # owner | supervisor | manager
    deadline = DateTimeField()  # the broken clock's deadline (UTC)
    at = DateTimeField(default=utcnow)
    told = JSONField(default=list)  # JSON: the names of the people the step went to

    class Meta:
        indexes = (
            (("item_type", "item_id", "step", "deadline"), True),
            (("site", "at"), False),
        )


def load_promises(directory: Path) -> Promises:
    """The company's promises from promises.toml; ChecklistError naming the problem."""
    path = Path(directory) / PROMISES_FILE
    try:
        promises = parse_promises(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ChecklistError([f"{PROMISES_FILE}: {exc}"]) from exc
    unknown = (promises.urgent_categories | promises.complaint_categories) - set(ANOMALY_CATEGORIES)
    if unknown:
        raise ChecklistError(
            [f"{PROMISES_FILE}: unknown anomaly categories: {', '.join(sorted(unknown))}"]
        )
    return promises


def site_promises(promises: Promises, site_id: int) -> Promises:
    """The company's promises with the site's own times in place of the file's."""
    overrides = {
        (row.kind, row.clock): Span(row.amount, row.unit)
        for row in SitePromise.select().where(SitePromise.site == site_id)
    }
    return promises.with_overrides(overrides) if overrides else promises
