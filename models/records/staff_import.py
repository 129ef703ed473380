"""Staff 员工 from a spreadsheet: the template HR fills in, and the check of a filled-in file.

Plain functions over plain values; no Flask, no database.

- ``read_sheet(data)`` turns the bytes of an .xlsx into a ``Sheet``: the columns it found (by
  their Chinese header, or the English alias, in any order) and its non-empty rows with their
  spreadsheet row numbers. A file that cannot be read as a staff list at all (not an .xlsx, no
  header row, a required column missing, more than ``MAX_ROWS`` rows) is an ``ImportFileError``.
- ``plan_import(sheet, sites=..., teams=..., people=...)`` checks every row against the caller's
  sites, those sites' teams and the people already stored under the file's employee numbers,
  and returns a ``Plan``: what storing each row would do (create, update, unchanged), every
  problem found (row, column as headed in the file, a Chinese and an English sentence), and the
  teams that storing would create.
- ``write_template(sites, teams)`` is the workbook HR downloads to fill in.

The view looks things up, calls these, and stores the plan in one transaction.
"""

import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from models.files.exports import JOB_NAMES, display_width, neutralise
from models.tables.org import JOBS

# The rules of the staff fields, shared with the API's staff schemas.
EMPLOYEE_NO_PATTERN = r"^[A-Za-z0-9-]{1,32}$"
PHONE_PATTERN = r"^[0-9+ -]{0,32}$"
NAME_MAX = 50
TEAM_NAME_MAX = 100

MAX_ROWS = 5000  # data rows below the header
MAX_FILE_BYTES = 5 * 1024 * 1024  # a 5,000-row staff list is about 200 KB
# The parts of the .xlsx unpacked (a zip bomb is refused before it is opened).
MAX_UNPACKED_BYTES = 32 * 1024 * 1024
MAX_COLUMNS = 64  # columns read; a header further right is not looked for
HEADER_SEARCH_ROWS = 10  # a title row or two above the header is allowed

GENDER_NAMES: dict[str, tuple[str, str]] = {"male": ("男", "Male"), "female": ("女", "Female")}

# (field, Chinese header, English header, required). The order is the template's.
COLUMNS: tuple[tuple[str, str, str, bool], ...] = (
    ("name", "姓名", "name", True),
    ("employee_no", "工号", "employee_no", True),
    ("gender", "性别", "gender", True),
    ("job", "岗位", "job", True),
    ("team", "班组", "team", False),
    ("site", "项目", "site", True),
    ("phone", "手机", "phone", False),
)
HEADERS = {key: zh for key, zh, _, _ in COLUMNS}
# Other headers HR sheets use for the same columns (the monthly export's English ones too).
_MORE_ALIASES = {
    "employee_no": ("员工编号", "employee no.", "employee number"),
    "site": ("项目名称", "管理处"),
    "phone": ("手机号", "手机号码", "电话", "联系电话", "mobile"),
}
_FORMULA_START = ("=", "+", "-", "@")


def header_key(text: str) -> str:
    """A header as compared: without a trailing "(必填)"-style remark, spaces, '*', '.', '_' or
    '-', case-folded ("Employee no." and "employee_no" and "工 号*" are the same)."""
    text = re.sub(r"[（(][^）)]*[）)]\s*$", "", text.strip())
    return re.sub(r"[\s._*-]+", "", text.casefold())


_ALIASES: dict[str, str] = {}
for _key, _zh, _en, _ in COLUMNS:
    for _alias in (_zh, _en, *_MORE_ALIASES.get(_key, ())):
        _ALIASES[header_key(_alias)] = _key

_JOB_BY_TEXT: dict[str, str] = {}
for _job in JOBS:
    _zh, _en = JOB_NAMES[_job]
    for _text in (_job, _zh, _en):
        _JOB_BY_TEXT[_text.casefold()] = _job
_GENDER_BY_TEXT = {
    "男": "male",
    "男性": "male",
    "male": "male",
    "m": "male",
    "女": "female",
    "女性": "female",
    "female": "female",
    "f": "female",
}
_EMPLOYEE_NO_RE = re.compile(EMPLOYEE_NO_PATTERN)
_PHONE_RE = re.compile(PHONE_PATTERN)


class ImportFileError(Exception):
    """The whole file is refused: a stable ``code``, a Chinese ``message``, an English one."""

    def __init__(self, code: str, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message = message
        self.message_en = message_en


def cell_text(value) -> str:
    """A cell's value as the text typed: 1001 (or 1001.0) is "1001", spaces around are gone,
    and the apostrophe that keeps "=..." from being a formula (models/files/exports.neutralise)
    too."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date | time):
        value = value.isoformat()
    text = str(value).strip()
    if text.startswith("'") and text[1:].startswith(_FORMULA_START):
        text = text[1:]
    return text


@dataclass
class Sheet:
    """The staff list read from a file: ``headers`` maps each column found to its header as
    written in the file; ``rows`` holds (spreadsheet row number, {column: cell text})."""

    headers: dict[str, str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)

    def employee_numbers(self) -> set[str]:
        """The well-formed employee numbers in the file, to look up the people stored."""
        return {
            values["employee_no"]
            for _, values in self.rows
            if _EMPLOYEE_NO_RE.fullmatch(values.get("employee_no", ""))
        }


def read_sheet(data: bytes) -> Sheet:
    """The staff list in an .xlsx file: the first sheet with a header row (so the template's
    说明 sheet is never read as data), its non-empty rows, or ImportFileError."""
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            "file_too_large",
            f"文件过大（最大 {MAX_FILE_BYTES // (1024 * 1024)} MB）。",
            f"The file is too large (at most {MAX_FILE_BYTES // (1024 * 1024)} MB).",
        )
    not_xlsx = ImportFileError(
        "not_xlsx",
        "无法读取该文件：请上传 Excel 工作簿（.xlsx）。",
        "This file cannot be read: upload an Excel workbook (.xlsx).",
    )
    if not data.startswith(b"PK\x03\x04"):
        raise not_xlsx
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise not_xlsx from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            "file_too_large",
            "文件解压后过大，不像是员工名单。",
            "The file unpacks to too much data for a staff list.",
        )
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a hostile or broken file fails in many ways inside openpyxl
        raise not_xlsx from exc
    try:
        for worksheet in workbook.worksheets:
            sheet = _read_worksheet(worksheet)
            if sheet is not None:
                return sheet
    except ImportFileError:
        raise
    except Exception as exc:  # broken XML inside the archive, found while reading rows
        raise not_xlsx from exc
    finally:
        workbook.close()
    zh = "、".join(zh for _, zh, _, required in COLUMNS if required)
    raise ImportFileError(
        "no_header",
        f"找不到表头行：第一行应为列名（{zh} 等），请使用导入模板。",
        "No header row found: the first row must name the columns (姓名, 工号, 性别, 岗位, 项目 "
        "...); use the import template.",
    )


def _header_columns(values: tuple) -> dict[int, tuple[str, str]]:
    """{column index: (field, header as written)} for the cells of a row that name a column."""
    found = {}
    for index, value in enumerate(values):
        text = cell_text(value)
        key = _ALIASES.get(header_key(text)) if text else None
        if key is not None:
            found[index] = (key, text)
    return found


def _find_header_row(rows) -> tuple[int, dict[int, tuple[str, str]]] | None:
    """The header row's number and its known columns: the first row within the first
    HEADER_SEARCH_ROWS naming two of our columns (rows above it may hold a title)."""
    for number, values in enumerate(rows, 1):
        if number > HEADER_SEARCH_ROWS:
            return None
        found = _header_columns(values)
        if len(found) >= 2:
            return number, found
    return None


def _check_headers(columns: dict[int, tuple[str, str]]) -> dict[str, str]:
    """column key → header text as written; a column twice or a required one missing stops the
    import."""
    headers: dict[str, str] = {}
    for key, text in columns.values():
        if key in headers:
            raise ImportFileError(
                "duplicate_column",
                f"“{HEADERS[key]}”列出现了两次（{headers[key]}、{text}）。",
                f"The column {HEADERS[key]} appears twice ({headers[key]}, {text}).",
            )
        headers[key] = text
    missing = [zh for key, zh, _, required in COLUMNS if required and key not in headers]
    if missing:
        raise ImportFileError(
            "missing_columns",
            f"缺少必需的列：{'、'.join(missing)}。",
            f"Required columns are missing: {', '.join(missing)}.",
        )
    return headers


def _read_worksheet(worksheet) -> Sheet | None:
    # The stored dimensions of a sheet may be wrong (other programs write them carelessly).
    worksheet.reset_dimensions()
    rows = worksheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
    found = _find_header_row(rows)
    if found is None:
        return None
    number, columns = found
    headers = _check_headers(columns)
    sheet = Sheet(headers=headers)
    for row_number, values in enumerate(rows, number + 1):
        texts = {key: cell_text(values[index]) for index, (key, _) in columns.items()}
        if not any(texts.values()):
            continue  # an empty row (or notes outside our columns)
        if len(sheet.rows) >= MAX_ROWS:
            raise ImportFileError(
                "too_many_rows",
                f"行数过多：每个文件最多 {MAX_ROWS} 行员工，请分成几个文件导入。",
                f"Too many rows: at most {MAX_ROWS} people per file; split it into several files.",
            )
        sheet.rows.append((row_number, texts))
    return sheet


# --- checking the rows --------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteRef:
    """A site the caller may import into."""

    id: int
    name: str
    code: str


@dataclass(frozen=True)
class TeamRef:
    id: int
    site_id: int
    name: str
    active: bool = True


@dataclass(frozen=True)
class Person:
    """A member of staff already stored under one of the file's employee numbers. ``visible``:
    at one of the caller's sites (only those may be changed; the others are not described)."""

    id: int
    employee_no: str
    name: str
    gender: str
    job: str
    site_id: int
    team_id: int | None
    phone: str
    visible: bool


# The stored fields an import sets, as named on the Staff model.
FIELDS = ("name", "gender", "job", "site_id", "team_id", "phone")


@dataclass
class PlannedRow:
    row: int
    employee_no: str | None
    name: str | None
    gender: str | None
    job: str | None
    site_id: int | None
    team: str | None  # the team's name, None for no team
    phone: str | None
    action: str = "invalid"  # create | update | unchanged | invalid (the row has problems)
    staff_id: int | None = None
    team_id: int | None = None  # the existing team; None with a team name means a new team
    changed: list[str] = field(default_factory=list)

    def values(self, new_team_ids: dict[tuple[int, str], int]) -> dict:
        """The Staff fields to store, with the id of a team created for this import."""
        team_id = self.team_id
        if self.team is not None and team_id is None:
            team_id = new_team_ids[(self.site_id, self.team)]
        return {
            "name": self.name,
            "gender": self.gender,
            "job": self.job,
            "site_id": self.site_id,
            "team_id": team_id,
            "phone": self.phone,
        }

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "employee_no": self.employee_no,
            "name": self.name,
            "gender": self.gender,
            "job": self.job,
            "team": self.team,
            "site_id": self.site_id,
            "phone": self.phone,
            "action": self.action,
            "changed": self.changed,
        }


@dataclass
class Plan:
    rows: list[PlannedRow]
    problems: list[dict]
    new_teams: list[tuple[int, str]]  # (site id, name), in the order first named

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)


def _job_list(lang: int) -> str:
    return ("、", ", ")[lang].join(JOB_NAMES[job][lang] for job in JOBS)


class _Problems:
    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.order = {key: index for index, key in enumerate(sheet.headers)}
        self.found: list[tuple[int, int, dict]] = []
        self.rows: set[int] = set()

    def add(self, row: int, key: str, message: str, message_en: str) -> None:
        self.rows.add(row)
        problem = {
            "row": row,
            "column": self.sheet.headers[key],
            "message": message,
            "message_en": message_en,
        }
        self.found.append((row, self.order[key], problem))

    def sorted(self) -> list[dict]:
        return [p for _, _, p in sorted(self.found, key=lambda item: item[:2])]


def plan_import(
    sheet: Sheet,
    *,
    sites: Iterable[SiteRef],
    teams: Iterable[TeamRef],
    people: Iterable[Person],
) -> Plan:
    """What importing the sheet would do, and every problem that stops it.

    ``sites`` are the caller's sites (a 项目 cell names one by name or code: any other is the
    same "no such site among yours", whether it exists or not); ``teams`` the teams of those
    sites; ``people`` the staff stored under the file's employee numbers, at any site.

    A row matches a stored person by 工号: the person is updated where a value differs, and is
    "unchanged" when nothing does. A 班组 the site does not have is created (``new_teams``). An
    absent 班组 or 手机 column leaves those fields as they are (a move to another site leaves the
    old site's team behind); an empty cell in a present column clears them.
    """
    sites = list(sites)
    by_name = {s.name.strip(): s for s in sites}
    by_code = {s.code.strip().casefold(): s for s in sites}
    team_by_name = {(t.site_id, t.name): t for t in teams}
    team_names = {t.id: t.name for t in team_by_name.values()}
    person_by_no = {p.employee_no: p for p in people}
    problems = _Problems(sheet)
    planned: list[PlannedRow] = []
    rows_of_number: dict[str, list[int]] = defaultdict(list)

    for number, values in sheet.rows:
        row = PlannedRow(number, None, None, None, None, None, None, None)
        planned.append(row)
        row.name = _check_name(number, values["name"], problems)
        row.employee_no = _check_employee_no(number, values["employee_no"], problems)
        if row.employee_no:
            rows_of_number[row.employee_no].append(number)
        row.gender = _check_gender(number, values["gender"], problems)
        row.job = _check_job(number, values["job"], problems)
        row.site_id = _check_site(number, values["site"], by_name, by_code, problems)
        _check_phone(number, values.get("phone"), problems)
        person = _stored_person(row, person_by_no, problems)
        team = _check_team(row, values.get("team"), person, team_by_name, problems)
        if number in problems.rows:
            continue
        _plan_storing(row, values, sheet.headers, person, team, team_names)

    _report_repeated_numbers(rows_of_number, problems)
    for row in planned:
        if row.row in problems.rows:
            row.action, row.staff_id, row.changed = "invalid", None, []

    return Plan(rows=planned, problems=problems.sorted(), new_teams=_new_teams(planned))


def _check_name(number: int, name: str, problems: _Problems) -> str | None:
    """The 姓名 cell: present and not too long (None when it has a problem)."""
    if not name:
        problems.add(number, "name", "姓名不能为空。", "The name is missing.")
    elif len(name) > NAME_MAX or "\x00" in name:
        problems.add(
            number,
            "name",
            f"姓名最多 {NAME_MAX} 个字。",
            f"The name is longer than {NAME_MAX} characters.",
        )
    else:
        return name
    return None


def _check_employee_no(number: int, employee_no: str, problems: _Problems) -> str | None:
    """The 工号 cell: present and of letters, digits and '-' (None when it has a problem)."""
    if not employee_no:
        problems.add(number, "employee_no", "工号不能为空。", "The employee number is missing.")
    elif not _EMPLOYEE_NO_RE.fullmatch(employee_no):
        problems.add(
            number,
            "employee_no",
            "工号只能由字母、数字或“-”组成，最多 32 位。",
            "The employee number must be 1-32 letters, digits or '-'.",
        )
    else:
        return employee_no
    return None


def _check_gender(number: int, gender: str, problems: _Problems) -> str | None:
    """The 性别 cell as a stored gender (None when it has a problem)."""
    if not gender:
        problems.add(number, "gender", "性别不能为空。", "The gender is missing.")
    elif gender.casefold() not in _GENDER_BY_TEXT:
        problems.add(
            number,
            "gender",
            f"性别“{gender}”无效，应为“男”或“女”。",
            f"Gender '{gender}' is not valid: write 男 (male) or 女 (female).",
        )
    else:
        return _GENDER_BY_TEXT[gender.casefold()]
    return None


def _check_job(number: int, job: str, problems: _Problems) -> str | None:
    """The 岗位 cell as a stored job (None when it has a problem)."""
    if not job:
        problems.add(number, "job", "岗位不能为空。", "The job is missing.")
    elif job.casefold() not in _JOB_BY_TEXT:
        problems.add(
            number,
            "job",
            f"未知岗位“{job}”，可选：{_job_list(0)}。",
            f"Unknown job '{job}'; use one of: {_job_list(1)}.",
        )
    else:
        return _JOB_BY_TEXT[job.casefold()]
    return None


def _check_site(
    number: int, site_text: str, by_name: dict, by_code: dict, problems: _Problems
) -> int | None:
    """The 项目 cell: the id of one of the caller's sites, by name or code (None otherwise)."""
    site = by_name.get(site_text) or by_code.get(site_text.casefold())
    if not site_text:
        problems.add(number, "site", "项目不能为空。", "The site is missing.")
    elif site is None:
        # The same words whether the site exists elsewhere or not at all.
        problems.add(
            number,
            "site",
            f"项目“{site_text}”不存在或不在您管理的项目中。",
            f"Site '{site_text}' is not one of your sites.",
        )
    else:
        return site.id
    return None


def _check_phone(number: int, phone: str | None, problems: _Problems) -> None:
    """The 手机 cell, when the column is there: digits, '+', '-' or spaces."""
    if phone is not None and not _PHONE_RE.fullmatch(phone):
        problems.add(
            number,
            "phone",
            "手机号只能由数字、“+”、“-”或空格组成，最多 32 位。",
            "The phone number may hold only digits, '+', '-' or spaces (at most 32).",
        )


def _stored_person(row: PlannedRow, person_by_no: dict, problems: _Problems) -> Person | None:
    """The stored person the row's 工号 names; one the caller may not see is a problem."""
    number = row.row
    person = person_by_no.get(row.employee_no) if row.employee_no else None
    if person is not None and not person.visible:
        problems.add(
            number,
            "employee_no",
            "工号已被其他项目使用。",
            "This employee number is already used at another site.",
        )
        return None
    return person


def _check_team(
    row: PlannedRow,
    team_text: str | None,
    person: Person | None,
    team_by_name: dict,
    problems: _Problems,
) -> TeamRef | None:
    """The 班组 cell: not too long, and not a retired team unless the person is already in it;
    the site's team of that name, if it has one."""
    number = row.row
    team = None
    if team_text and len(team_text) > TEAM_NAME_MAX:
        problems.add(
            number,
            "team",
            f"班组名称最多 {TEAM_NAME_MAX} 个字。",
            f"The team name is longer than {TEAM_NAME_MAX} characters.",
        )
    elif team_text and row.site_id is not None:
        team = team_by_name.get((row.site_id, team_text))
        already_in_it = person is not None and team is not None and person.team_id == team.id
        if team is not None and not team.active and not already_in_it:
            problems.add(
                number,
                "team",
                f"班组“{team_text}”已停用。",
                f"The team '{team_text}' is retired.",
            )
    return team


def _plan_storing(
    row: PlannedRow,
    values: dict,
    headers: dict,
    person: Person | None,
    team: TeamRef | None,
    team_names: dict,
) -> None:
    """What storing a row without problems would do: its team and phone (kept from the stored
    person when the column is absent), and create, update (with the fields changed) or
    unchanged."""
    team_text = values.get("team")
    phone = values.get("phone")
    if "team" in headers:
        row.team = team_text or None
        row.team_id = team.id if team is not None else None
    elif person is not None and person.site_id == row.site_id:
        row.team_id = person.team_id
        row.team = team_names.get(person.team_id)
    if "phone" in headers:
        row.phone = phone
    else:
        row.phone = person.phone if person is not None else ""
    if person is None:
        row.action = "create"
        return
    row.staff_id = person.id
    new_team = row.team is not None and row.team_id is None  # a change, whatever it was
    row.changed = [
        f for f in FIELDS if getattr(person, f) != getattr(row, f) or (f == "team_id" and new_team)
    ]
    row.action = "update" if row.changed else "unchanged"


def _report_repeated_numbers(rows_of_number: dict, problems: _Problems) -> None:
    """A 工号 on several rows is a problem on each of them, naming the others."""
    for employee_no, numbers in rows_of_number.items():
        if len(numbers) < 2:
            continue
        for number in numbers:
            others = [n for n in numbers if n != number]
            problems.add(
                number,
                "employee_no",
                f"工号 {employee_no} 与第 {'、'.join(map(str, others))} 行重复。",
                f"Employee number {employee_no} is also on row {', '.join(map(str, others))}.",
            )


def _new_teams(planned: list[PlannedRow]) -> list[tuple[int, str]]:
    """(site id, name) of the teams the import creates, ordered as first named."""
    new_teams: dict[tuple[int, str], None] = {}
    for row in planned:
        if row.action in ("create", "update") and row.team is not None and row.team_id is None:
            new_teams[(row.site_id, row.team)] = None
    return list(new_teams)


# --- the template -------------------------------------------------------------------------------


TEMPLATE_SHEET = "员工"
NOTES_SHEET = "说明"


def _fill_template_sheet(sheet, sites: list[SiteRef], teams: list[TeamRef], bold: Font) -> None:
    """The header row and an example row (with the caller's first site and one of its teams),
    columns wide enough, 工号 and 手机 kept as text."""
    site = sites[0] if sites else None
    team = next((t for t in teams if site and t.site_id == site.id and t.active), None)
    example = {
        "name": "张伟",
        "employee_no": "E-0001",
        "gender": GENDER_NAMES["male"][0],
        "job": JOB_NAMES["guard"][0],
        "team": team.name if team else "护卫一班",
        "site": site.name if site else "示例大厦",
        "phone": "13800000000",
    }
    sheet.append([zh for _, zh, _, _ in COLUMNS])
    sheet.append([neutralise(example[key]) for key, _, _, _ in COLUMNS])
    for index, (key, zh, _, _) in enumerate(COLUMNS, 1):
        cell = sheet.cell(row=1, column=index)
        cell.font = bold
        letter = cell.column_letter
        width = max(display_width(zh), display_width(example[key])) + 4
        sheet.column_dimensions[letter].width = max(width, 12)
        if key in ("employee_no", "phone"):
            # Text, so Excel keeps 0012 and does not show a phone number as 1.38E+10.
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"


def _fill_notes(notes, sites: list[SiteRef], bold: Font) -> tuple[int, int]:
    """The 说明 sheet: each column's description and allowed values, the notes, then the
    caller's sites; returns the first and last row of the sites (the 项目 pick list)."""
    notes.append(["列 Column", "必填 Required", "说明 Description", "可填的值 Allowed values"])
    for cell in notes[1]:
        cell.font = bold
    job_names = "、".join(f"{JOB_NAMES[j][0]}（{JOB_NAMES[j][1]}）" for j in JOBS)
    descriptions = {
        "name": ("员工姓名。Full name.", f"最多 {NAME_MAX} 个字"),
        "employee_no": (
            "员工的唯一编号；文件中已有工号的员工将被更新，新工号将被新增。"
            "Unique employee number: an existing one updates that person, a new one adds a person.",
            "字母、数字或“-”，1-32 位 (letters, digits or '-')",
        ),
        "gender": ("性别。Gender.", "男、女"),
        "job": ("岗位。Job.", job_names),
        "team": (
            "该项目的班组名称；项目还没有的班组会在导入时新建；留空表示不属于任何班组；"
            "没有这一列时不改变已有员工的班组。Team of the site: a new name creates the team, "
            "empty means no team.",
            "班组名称，最多 100 个字",
        ),
        "site": (
            "员工所在项目：填项目名称或项目编号（见下方您可导入的项目）。"
            "The site: its name or its code (listed below).",
            "您管理的项目",
        ),
        "phone": (
            "手机号（可不填）；没有这一列时不改变已有员工的手机号。Phone (optional).",
            "数字、“+”、“-”或空格",
        ),
    }
    for key, zh, en, required in COLUMNS:
        description, allowed = descriptions[key]
        notes.append([f"{zh} ({en})", "是" if required else "否", description, allowed])
    notes.append([])
    notes.append(
        [
            "提示 Notes",
            "",
            f"每个文件最多 {MAX_ROWS} 行；空行会被跳过；列的顺序不限。上传后先预览检查结果，"
            "没有问题再确认导入（全部导入或全部不导入）。"
            f"At most {MAX_ROWS} rows; empty rows are skipped; columns in any order. "
            "Preview first, then import: all rows or none.",
        ]
    )
    notes.append([])
    notes.append(["项目名称 Site", "项目编号 Code"])
    for cell in notes[notes.max_row]:
        cell.font = bold
    first_site_row = notes.max_row + 1
    for s in sites:
        notes.append([neutralise(s.name), neutralise(s.code)])
    last_site_row = notes.max_row
    for letter, width in (("A", 22), ("B", 14), ("C", 70), ("D", 50)):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2, max_row=len(COLUMNS) + 3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return first_site_row, last_site_row


def _add_pick_lists(sheet, sites: list[SiteRef], first_site_row: int, last_site_row: int) -> None:
    """Drop-down lists for 性别, 岗位 and (when the caller has sites) 项目."""

    def column_letter(key: str) -> str:
        index = next(i for i, column in enumerate(COLUMNS, 1) if column[0] == key)
        return sheet.cell(row=1, column=index).column_letter

    pick_lists = {
        "gender": '"男,女"',
        "job": '"' + ",".join(JOB_NAMES[j][0] for j in JOBS) + '"',
    }
    if sites:
        pick_lists["site"] = f"'{NOTES_SHEET}'!$A${first_site_row}:$A${last_site_row}"
    for key, formula in pick_lists.items():
        # A warning, not a stop: codes and English names are accepted too, and checked on upload.
        validation = DataValidation(
            type="list", formula1=formula, allow_blank=True, errorStyle="warning"
        )
        letter = column_letter(key)
        validation.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
        sheet.add_data_validation(validation)


def write_template(sites: list[SiteRef], teams: list[TeamRef]) -> bytes:
    """The workbook HR fills in: the header row and one example row on the first sheet (pick
    lists for 性别, 岗位 and 项目), and a 说明 sheet with each column's allowed values and the
    caller's sites."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = TEMPLATE_SHEET
    notes = workbook.create_sheet(NOTES_SHEET)
    bold = Font(bold=True)

    _fill_template_sheet(sheet, sites, teams, bold)
    first_site_row, last_site_row = _fill_notes(notes, sites, bold)
    _add_pick_lists(sheet, sites, first_site_row, last_site_row)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
