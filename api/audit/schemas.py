import json

import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime


class AuditEntrySchema(Schema):
    id = ma.fields.Integer()
    at = ZonedDateTime()
    user_id = ma.fields.Integer(allow_none=True)
    action = ma.fields.String()
    entity = ma.fields.String()
    entity_id = ma.fields.String()
    site_id = ma.fields.Integer(allow_none=True)
    before = ma.fields.Method("get_before", metadata={"description": "changed fields before"})
    after = ma.fields.Method("get_after", metadata={"description": "changed fields after"})
    reason = ma.fields.String()
    request_id = ma.fields.String()

    def get_before(self, entry):
        return json.loads(entry.before) if entry.before else None

    def get_after(self, entry):
        return json.loads(entry.after) if entry.after else None


class AuditQuerySchema(QuerySchema):
    entity = ma.fields.String(validate=ma.validate.Length(max=32))
    entity_id = ma.fields.String(validate=ma.validate.Length(max=64))
    site_id = ma.fields.Integer()
    user_id = ma.fields.Integer()
