import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime, text_field
from models.rules.scoring import RESULTS
from models.tables.patrols import CARRIERS, REVIEW_DECISIONS


class CheckAnswerSchema(Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=48))
    result = ma.fields.String(required=True, validate=ma.validate.OneOf(RESULTS))
    note = text_field(500, allow_empty=True)


class ScanSubmitSchema(Schema):
    id = ma.fields.UUID(
        required=True, metadata={"description": "made by the phone; resending is safe"}
    )
    payload = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=1, max=300),
        metadata={
            "description": "the scanned text: the label's URL or its token; with carrier "
            "`manual`, also the label's short code typed by hand (e.g. HRZX-C-0345), which is "
            "flagged `typed_code`"
        },
    )
    carrier = ma.fields.String(load_default="qr", validate=ma.validate.OneOf(CARRIERS))
    device_at = ZonedDateTime(
        required=True, metadata={"description": "the phone's time of the scan, with offset"}
    )
    device_id = text_field(64, allow_empty=True, load_default="")
    latitude = ma.fields.Float(allow_none=True, validate=ma.validate.Range(-90, 90))
    longitude = ma.fields.Float(allow_none=True, validate=ma.validate.Range(-180, 180))
    accuracy_m = ma.fields.Float(allow_none=True, validate=ma.validate.Range(0, 100000))
    note = text_field(500, allow_empty=True, load_default="")
    photo_ids = ma.fields.List(
        ma.fields.UUID(), load_default=list, validate=ma.validate.Length(max=10)
    )
    answers = ma.fields.List(
        ma.fields.Nested(CheckAnswerSchema),
        load_default=list,
        validate=ma.validate.Length(max=50),
        metadata={"description": "answers to the checkpoint's check items"},
    )


class ScanBatchSchema(Schema):
    scans = ma.fields.List(
        ma.fields.Nested(ScanSubmitSchema),
        required=True,
        validate=ma.validate.Length(min=1, max=1000),
    )


class FlagSchema(Schema):
    code = ma.fields.String()
    reason = ma.fields.String()
    reason_zh = ma.fields.String()
    scan_id = ma.fields.String(allow_none=True)


class ScanOutcomeSchema(Schema):
    id = ma.fields.UUID()
    status = ma.fields.String(metadata={"description": "accepted | flagged | rejected"})
    code = ma.fields.String(allow_none=True, metadata={"description": "why it was rejected"})
    message = ma.fields.String(allow_none=True)
    message_zh = ma.fields.String(allow_none=True)
    checkpoint_id = ma.fields.Integer(allow_none=True)
    round_id = ma.fields.Integer(allow_none=True)
    flags = ma.fields.List(ma.fields.Nested(FlagSchema))


class BatchOutcomeSchema(Schema):
    outcomes = ma.fields.List(ma.fields.Nested(ScanOutcomeSchema))
    accepted = ma.fields.Integer()
    flagged = ma.fields.Integer()
    rejected = ma.fields.Integer()


class ScanSchema(Schema):
    id = ma.fields.UUID()
    site_id = ma.fields.Integer()
    checkpoint_id = ma.fields.Integer()
    round_id = ma.fields.Integer(allow_none=True)
    user_id = ma.fields.Integer()
    staff_id = ma.fields.Integer(allow_none=True)
    device_id = ma.fields.String()
    carrier = ma.fields.String()
    device_at = ZonedDateTime()
    server_at = ZonedDateTime()
    gap_seconds = ma.fields.Integer(metadata={"description": "server time minus device time"})
    latitude = ma.fields.Float(allow_none=True)
    longitude = ma.fields.Float(allow_none=True)
    accuracy_m = ma.fields.Float(allow_none=True)
    note = ma.fields.String()
    photo_ids = ma.fields.List(ma.fields.String())
    answers = ma.fields.List(ma.fields.Dict())
    flags = ma.fields.List(ma.fields.Nested(FlagSchema))
    reviewed_at = ZonedDateTime(
        allow_none=True, metadata={"description": "when a flagged scan was reviewed"}
    )
    reviewed_by_id = ma.fields.Integer(allow_none=True, metadata={"description": "the reviewer"})
    review_decision = ma.fields.String(
        allow_none=True,
        metadata={"description": "confirmed | dismissed; null until reviewed"},
    )
    review_note = ma.fields.String(allow_none=True)


class ScanQuerySchema(QuerySchema):
    site_id = ma.fields.Integer()
    checkpoint_id = ma.fields.Integer()
    round_id = ma.fields.Integer()
    user_id = ma.fields.Integer()
    flagged = ma.fields.Boolean()
    reviewed = ma.fields.Boolean(
        metadata={"description": "true: reviewed scans; false: not (yet) reviewed"}
    )


class ScanReviewSchema(Schema):
    decision = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(REVIEW_DECISIONS),
        metadata={"description": "confirmed: the flag was right; dismissed: a false alarm"},
    )
    note = text_field(
        500,
        allow_empty=True,
        load_default="",
        metadata={"description": "why; required to dismiss a flag"},
    )

    @ma.validates_schema
    def _dismissal_says_why(self, data, **kwargs):
        if data["decision"] == "dismissed" and not data["note"].strip():
            raise ma.ValidationError(
                "说明为何驳回此标记。Say why the flag is dismissed.", field_name="note"
            )
