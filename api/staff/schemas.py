import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime, text_field
from models.records.staff_import import EMPLOYEE_NO_PATTERN, MAX_ROWS, PHONE_PATTERN
from models.tables.org import GENDERS, JOBS


class StaffSchema(Schema):
    id = ma.fields.Integer()
    employee_no = ma.fields.String()
    name = ma.fields.String()
    gender = ma.fields.String()
    job = ma.fields.String()
    site_id = ma.fields.Integer()
    team_id = ma.fields.Integer(allow_none=True)
    phone = ma.fields.String()
    area_ids = ma.fields.List(
        ma.fields.Integer(), metadata={"description": "areas this person is responsible for"}
    )
    active = ma.fields.Boolean()
    created_at = ZonedDateTime()
    updated_at = ZonedDateTime()


class _StaffFields(Schema):
    employee_no = ma.fields.String(
        validate=ma.validate.Regexp(EMPLOYEE_NO_PATTERN, error="1-32 letters, digits or '-'.")
    )
    name = text_field(50)
    gender = ma.fields.String(validate=ma.validate.OneOf(GENDERS))
    job = ma.fields.String(validate=ma.validate.OneOf(JOBS))
    site_id = ma.fields.Integer()
    team_id = ma.fields.Integer(allow_none=True)
    phone = ma.fields.String(
        validate=ma.validate.Regexp(PHONE_PATTERN, error="Digits, '+', '-' or spaces.")
    )
    area_ids = ma.fields.List(ma.fields.Integer(), validate=ma.validate.Length(max=100))


class StaffCreateSchema(_StaffFields):
    employee_no = ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(EMPLOYEE_NO_PATTERN, error="1-32 letters, digits or '-'."),
    )
    name = text_field(50, required=True)
    gender = ma.fields.String(required=True, validate=ma.validate.OneOf(GENDERS))
    job = ma.fields.String(required=True, validate=ma.validate.OneOf(JOBS))
    site_id = ma.fields.Integer(required=True)


class StaffUpdateSchema(_StaffFields):
    active = ma.fields.Boolean()


class StaffQuerySchema(QuerySchema):
    site_id = ma.fields.Integer()
    team_id = ma.fields.Integer()
    job = ma.fields.String(validate=ma.validate.OneOf(JOBS))
    active = ma.fields.Boolean()
    q = ma.fields.String(
        validate=ma.validate.Length(min=1, max=50),
        metadata={"description": "part of the name or employee number"},
    )


class StaffImportFormSchema(Schema):
    """The form field sent beside the spreadsheet (multipart/form-data)."""

    commit = ma.fields.Boolean(
        load_default=False,
        metadata={
            "description": "false (the default): only check the file and show what would happen; "
            "true: store every row in one go, or nothing when the file has a problem"
        },
    )


class StaffImportFileSchema(Schema):
    file = ma.fields.Raw(
        required=True,
        metadata={
            "type": "string",
            "format": "binary",
            "description": f"the filled-in template (.xlsx, at most {MAX_ROWS} rows)",
        },
    )


class StaffImportUploadSchema(StaffImportFormSchema, StaffImportFileSchema):
    """The whole multipart body, for the API document: the view reads it in two parts (the form
    field and the file), which flask-smorest would otherwise document apart."""


class ImportProblemSchema(Schema):
    row = ma.fields.Integer(metadata={"description": "spreadsheet row number (the header is 1)"})
    column = ma.fields.String(metadata={"description": "the column's header as in the file"})
    message = ma.fields.String(metadata={"description": "what is wrong, in Chinese"})
    message_en = ma.fields.String(metadata={"description": "what is wrong, in English"})


class ImportRowSchema(Schema):
    """One data row: its values as read (null where a cell is missing or wrong: see problems)
    and what storing it does."""

    row = ma.fields.Integer(metadata={"description": "spreadsheet row number"})
    employee_no = ma.fields.String(allow_none=True)
    name = ma.fields.String(allow_none=True)
    gender = ma.fields.String(allow_none=True, metadata={"enum": [*GENDERS, None]})
    job = ma.fields.String(allow_none=True, metadata={"enum": [*JOBS, None]})
    team = ma.fields.String(allow_none=True, metadata={"description": "team name; null: no team"})
    site_id = ma.fields.Integer(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    action = ma.fields.String(
        metadata={
            "enum": ["create", "update", "unchanged", "invalid"],
            "description": "what storing the row does; invalid: the row has problems",
        }
    )
    changed = ma.fields.List(
        ma.fields.String(),
        metadata={"description": "for an update, the fields that change (name, team_id ...)"},
    )


class NewTeamSchema(Schema):
    site_id = ma.fields.Integer()
    name = ma.fields.String()


class StaffImportResultSchema(Schema):
    committed = ma.fields.Boolean(metadata={"description": "true when the rows were stored"})
    rows = ma.fields.List(ma.fields.Nested(ImportRowSchema))
    problems = ma.fields.List(
        ma.fields.Nested(ImportProblemSchema),
        metadata={"description": "every problem in the file; any problem stops a commit"},
    )
    new_teams = ma.fields.List(
        ma.fields.Nested(NewTeamSchema), metadata={"description": "teams the import creates"}
    )
    created = ma.fields.Integer()
    updated = ma.fields.Integer()
    unchanged = ma.fields.Integer()
