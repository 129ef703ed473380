import marshmallow as ma

from api.extensions import Schema


class LabelSettingsSchema(Schema):
    public_base_url = ma.fields.String(
        metadata={"description": "the address labels printed now would carry"}
    )
    configured = ma.fields.Boolean(
        metadata={
            "description": "true: XUNJIAN_PUBLIC_BASE_URL is set; false: labels carry the "
            "address this request came to"
        }
    )
    problem = ma.fields.String(
        allow_none=True,
        metadata={"description": "loopback | private | not_https (production only) | null"},
    )
    warning = ma.fields.String(
        allow_none=True, metadata={"description": "why phones may not reach it (Chinese)"}
    )
    warning_en = ma.fields.String(allow_none=True, metadata={"description": "the same, English"})
    printing_allowed = ma.fields.Boolean(
        metadata={"description": "false: printing labels is refused (production, loopback)"}
    )
