"""The monthly records as files HR opens in Excel: a streamed CSV and an .xlsx workbook.

Plain functions over plain rows (dicts with the keys of ``COLUMNS``; extra keys are ignored);
no Flask, no database.

- **Language.** ``language="zh"`` (the default) gives Simplified Chinese headers, sheet names and
  cell texts (岗位 护卫员, 等级 "A 优秀", 是否达标 达标/未达标); ``language="en"`` gives the English
  twins (Job Guard, Grade "A Excellent", Passed/Not passed). Any other value is a ``ValueError``,
  raised when the function is called, before a byte is produced.
- **Missing is empty.** A ``None`` value is an empty cell, never 0.
- **Numbers are numbers**: scores, percentages (0–100, not fractions) and counts are written as
  numbers (in the workbook with the format ``0.0`` for scores and percentages).
- **Formula injection** (OWASP "CSV injection"): a text cell that starts with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return gets a leading apostrophe so a spreadsheet shows it as text
  instead of running it. Numbers are never touched.
- **Streaming.** ``csv_chunks`` yields the file piece by piece while it consumes the rows, and
  ``write_workbook`` uses openpyxl's write-only mode (rows go to a temporary file as they come), so
  memory stays flat however many people a company has.
- **Nothing left on disk.** The sheets' temporary files are removed whether the workbook is
  written or fails; ``unnamed_workbook`` writes a workbook for a download into a temporary file
  that has no name in any folder, so no HR data stays behind, however the download ends.
"""

import contextlib
import csv
import io
import math
import re
import resource
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from os import PathLike
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import ALL_TEMP_FILES

from models.rules.scoring import DEFAULT_BANDS

LANGUAGES = ("zh", "en")

# (row key, Chinese header, English header, kind); kind is one of KINDS.
KINDS = ("text", "score", "count", "percent", "grade", "bool")
COLUMNS: list[tuple[str, str, str, str]] = [
    ("employee_no", "工号", "Employee no.", "text"),
    ("name", "姓名", "Name", "text"),
    ("site", "项目", "Site", "text"),
    ("team", "班组", "Team", "text"),
    ("job", "岗位", "Job", "text"),
    ("grooming_score", "仪容仪表得分", "Grooming score", "score"),
    ("grooming_count", "仪容检查次数", "Grooming inspections", "count"),
    ("etiquette_score", "服务礼仪得分", "Etiquette score", "score"),
    ("etiquette_count", "礼仪检查次数", "Etiquette inspections", "count"),
    ("greeting_compliance", "迎候达标率(%)", "Greeting compliance (%)", "percent"),
    ("greeting_shifts", "迎候班次", "Greeting shifts", "count"),
    ("patrol_completion", "巡更完成率(%)", "Patrol completion (%)", "percent"),
    ("patrol_rounds", "巡更任务数", "Patrol rounds", "count"),
    ("area_score", "责任区域得分", "Area score", "score"),
    ("area_count", "区域检查次数", "Area inspections", "count"),
    ("followup_rate", "跟进及时率(%)", "Follow-ups on time (%)", "percent"),
    ("followup_count", "跟进处理数", "Follow-ups handled", "count"),
    ("followup_on_time", "按时处理数", "Handled on time", "count"),
    ("composite", "综合得分", "Composite score", "score"),
    ("grade", "等级", "Grade", "grade"),
    ("passed", "是否达标", "Passed", "bool"),
    ("closed", "已关账", "Month closed", "bool"),
]

# The summary sheet: one row per site (keys of the ``summary`` dicts of write_workbook).
SUMMARY_COLUMNS: list[tuple[str, str, str, str]] = [
    ("site", "项目", "Site", "text"),
    ("staff", "人数", "Staff", "count"),
    ("passed", "达标人数", "Passed", "count"),
    ("pass_rate", "达标率(%)", "Pass rate (%)", "percent"),
    ("composite", "平均综合得分", "Average composite", "score"),
    ("grooming", "平均仪容仪表得分", "Average grooming", "score"),
    ("etiquette", "平均服务礼仪得分", "Average etiquette", "score"),
    ("followups_handled", "跟进处理数", "Follow-ups handled", "count"),
    ("followup_rate", "跟进及时率(%)", "Follow-ups on time (%)", "percent"),
]
SUMMARY_SHEET = ("汇总", "Summary")

# Cell texts per language: (Chinese, English).
JOB_NAMES: dict[str, tuple[str, str]] = {
    "guard": ("护卫员", "Guard"),
    "cleaner": ("保洁员", "Cleaner"),
    "gardener": ("绿化员", "Gardener"),
    "service_desk": ("客服", "Service desk"),
    "manager": ("管理人员", "Manager"),
    "supervisor": ("主管", "Supervisor"),
    "engineer": ("工程", "Engineer"),
    "other": ("其他", "Other"),
}
# The five grades 五级制 as the reviewed defaults name them (checklists/scoring.toml).
GRADE_NAMES: dict[str, tuple[str, str]] = {
    band.code: (f"{band.code} {band.name}", f"{band.code} {band.name_en}") for band in DEFAULT_BANDS
}
# (text for True, text for False) per language, for the columns of kind "bool".
BOOL_TEXTS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    "passed": (("达标", "未达标"), ("Passed", "Not passed")),
    "closed": (("是", "否"), ("Yes", "No")),
}
_DEFAULT_BOOL_TEXT = (("是", "否"), ("Yes", "No"))

# OWASP CSV injection: these first characters make a spreadsheet read a cell as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CSV_CHUNK_CHARS = 16 * 1024
_NUMBER_FORMATS = {"score": "0.0", "percent": "0.0", "count": "0"}
# Columns whose content is usually wider than the header (display width, CJK counts 2).
_CONTENT_WIDTHS = {"employee_no": 10, "name": 10, "site": 18, "team": 12}
_SHEET_NAME_MAX = 31
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _language(language: str) -> int:
    """0 for Chinese, 1 for English."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
    return LANGUAGES.index(language)


def neutralise(text: str) -> str:
    """A text a spreadsheet will not run as a formula (leading apostrophe, OWASP).

    Control characters a worksheet cannot hold are dropped first, so "\x01=..." cannot turn
    into a formula once they are gone."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _display(key: str, kind: str, value, lang: int):
    """What a cell shows: None (empty), a number, or a (neutralised) text."""
    if value is None:
        return None
    if kind in ("score", "percent", "count"):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return None if isinstance(value, float) and not math.isfinite(value) else value
        return neutralise(str(value))
    if kind == "grade":
        return GRADE_NAMES[value][lang] if value in GRADE_NAMES else neutralise(str(value))
    if kind == "bool":
        texts = BOOL_TEXTS.get(key, _DEFAULT_BOOL_TEXT)[lang]
        return texts[0] if value else texts[1]
    if key == "job" and value in JOB_NAMES:
        return JOB_NAMES[value][lang]
    return neutralise(str(value))


def _headers(columns, lang: int) -> list[str]:
    return [column[1 + lang] for column in columns]


# --- CSV ---------------------------------------------------------------------------------------


def csv_chunks(rows: Iterable[dict], *, language: str = "zh") -> Iterator[str]:
    """The records as CSV text in chunks: a UTF-8 BOM and the header first, then the rows.

    For ``Response(stream_with_context(csv_chunks(rows)))``: rows are read only as the chunks are
    taken (about 16 KB each), so the whole file is never in memory. The BOM makes Excel on Windows
    read the Chinese correctly; numbers are plain numbers (92.5, not "92.5%"); missing is empty.
    """
    lang = _language(language)  # checked now, not at the first chunk of a response under way
    return _csv_generator(rows, lang)


def _csv_generator(rows: Iterable[dict], lang: int) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def drain() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(_headers(COLUMNS, lang))
    yield "\ufeff" + drain()
    for row in rows:
        writer.writerow(
            [
                "" if (v := _display(key, kind, row.get(key), lang)) is None else v
                for key, _, _, kind in COLUMNS
            ]
        )
        if buffer.tell() >= _CSV_CHUNK_CHARS:
            yield drain()
    rest = drain()
    if rest:
        yield rest


# --- Excel -------------------------------------------------------------------------------------


def display_width(text: str) -> int:
    """Columns of a fixed-width font the text takes: CJK and full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def sheet_name(name: str, used: set[str]) -> str:
    """A valid, unused Excel sheet name for a site, added to ``used`` (casefolded names).

    Excel allows 31 characters, none of []:*?/\\, no apostrophe at either end, and compares names
    without regard to case; a clash gets " (2)", " (3)"...
    """
    clean = ILLEGAL_CHARACTERS_RE.sub("", _SHEET_NAME_FORBIDDEN.sub("-", str(name)))
    clean = clean.strip().strip("'").strip() or "Sheet"
    if clean.casefold() == "history":  # reserved by Excel
        clean += " (1)"
    candidate, number = _truncate(clean, _SHEET_NAME_MAX), 1
    while candidate.casefold() in used:
        number += 1
        suffix = f" ({number})"
        candidate = _truncate(clean, _SHEET_NAME_MAX - len(suffix)) + suffix
    used.add(candidate.casefold())
    return candidate


def _truncate(text: str, limit: int) -> str:
    """At most ``limit`` UTF-16 code units (how Excel counts), never splitting a character, and
    no apostrophe left at the end."""
    while _utf16_len(text) > limit:
        text = text[:-1]
    return text.rstrip().rstrip("'") or "Sheet"


class _SheetWriter:
    """One write-only sheet: widths, frozen bold header and autofilter, then styled rows."""

    def __init__(self, workbook: Workbook, title: str, columns, lang: int, widths=None):
        self.ws = workbook.create_sheet(title)
        self.columns = columns
        self.lang = lang
        self.rows = 0
        self.bold = Font(bold=True)
        # Everything written before the first row must be set now (write-only mode).
        for index, (key, zh, en, kind) in enumerate(columns, 1):
            header = (zh, en)[lang]
            width = max(display_width(header), (widths or {}).get(key, 0), _kind_width(kind, lang))
            self.ws.column_dimensions[get_column_letter(index)].width = width + 3  # filter button
        self.ws.freeze_panes = "A2"
        self.ws.print_title_rows = "1:1"
        self.ws.page_setup.orientation = "landscape"
        header_cells = []
        for header in _headers(columns, lang):
            cell = WriteOnlyCell(self.ws, value=header)
            cell.font = self.bold
            header_cells.append(cell)
        self.ws.append(header_cells)

    def append(self, row: dict) -> None:
        cells = []
        for key, _, _, kind in self.columns:
            value = _display(key, kind, row.get(key), self.lang)
            if isinstance(value, str):
                if value in ERROR_CODES:  # "#N/A" typed as a name is text, not an error cell
                    cell = WriteOnlyCell(self.ws, value=value)
                    cell.data_type = "s"
                    value = cell
            elif value is not None and kind in _NUMBER_FORMATS:
                cell = WriteOnlyCell(self.ws, value=value)
                cell.number_format = _NUMBER_FORMATS[kind]
                value = cell
            cells.append(value)
        self.ws.append(cells)
        self.rows += 1

    def finish(self) -> None:
        last = get_column_letter(len(self.columns))
        self.ws.auto_filter.ref = f"A1:{last}{self.rows + 1}"  # written after the rows


def _kind_width(kind: str, lang: int) -> int:
    if kind == "grade":
        return max(display_width(names[lang]) for names in GRADE_NAMES.values())
    if kind == "bool":
        return max(display_width(t) for texts in BOOL_TEXTS.values() for t in texts[lang])
    return 6 if kind in _NUMBER_FORMATS else 0


def write_workbook(
    path: str | PathLike | BinaryIO,
    *,
    month: int,
    sites: Iterable[tuple[str, Iterable[dict]]],
    summary: Iterable[dict],
    language: str = "zh",
) -> None:
    """Write the month's records to an .xlsx file at ``path`` (or into a binary file object).

    The first sheet is the summary 汇总 / Summary (one row per site: site, staff, passed, pass rate
    %, average composite, grooming and etiquette; keys ``site, staff, passed, pass_rate,
    composite, grooming, etiquette``), then one sheet per site in the order of ``sites`` — pairs
    of (site name, rows) — named after the site (made valid and unique for Excel). Every sheet has
    its header in row 1, bold, frozen and with an autofilter, and one row per record below.

    ``language`` switches headers, sheet names and texts: "zh" (default) or "en". ``month``
    (YYYYMM) goes into the workbook's title property, not into the sheets.

    Rows are streamed (openpyxl write-only mode). ``summary`` is read only after every site's
    rows, so it may be a list the ``sites`` generator fills as it goes.
    """
    lang = _language(language)
    year, month_of_year = divmod(int(month), 100)
    if not 1 <= month_of_year <= 12:
        raise ValueError(f"month must be YYYYMM, not {month!r}")
    workbook = Workbook(write_only=True)
    workbook.properties.title = (
        f"{year}年{month_of_year:02d}月 员工月度考核",
        f"Monthly records {year}-{month_of_year:02d}",
    )[lang]
    workbook.properties.creator = "巡检通 Xunjian"

    used: set[str] = set()
    _allow_a_file_per_sheet()
    try:
        summary_sheet = _SheetWriter(
            workbook, sheet_name(SUMMARY_SHEET[lang], used), SUMMARY_COLUMNS, lang, {"site": 18}
        )
        for site, rows in sites:
            sheet = _SheetWriter(workbook, sheet_name(site, used), COLUMNS, lang, _CONTENT_WIDTHS)
            for row in rows:
                sheet.append(row)
            sheet.finish()
        for row in summary:
            summary_sheet.append(row)
        summary_sheet.finish()
        workbook.save(path)  # closes every sheet and removes its temporary file
    except BaseException:
        _discard(workbook)
        raise


def _allow_a_file_per_sheet(wanted: int = 65536) -> None:
    """openpyxl's write-only mode keeps each sheet in an open temporary file until the workbook
    is saved: a company of 3,000 sites needs 3,000 open files, past the common soft limit of
    1,024 (the export then failed half-way). The soft limit is raised towards the hard limit,
    which a process may do without privileges."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def unnamed_workbook(write: Callable[[BinaryIO], None], directory: str | None = None) -> BinaryIO:
    """A workbook for a download: ``write`` fills a temporary file that has no name in any
    folder (O_TMPFILE, or unlinked as it is made), which comes back at its start, ready to be
    streamed. Nothing can be left behind: not by a download that ends, is dropped half-way or
    is never closed (the space is freed when the file is closed or collected), nor by a
    failure while writing (the file is closed and the error raised)."""
    file = tempfile.TemporaryFile(dir=directory)
    try:
        write(file)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return file


def _discard(workbook: Workbook) -> None:
    """Close and delete the sheets' temporary files after a failure (a database error while the
    rows were read, a full disk while saving): openpyxl would otherwise keep them until the
    process ends."""
    for ws in workbook.worksheets:
        writer = ws._writer
        if writer is None:  # a sheet not started has no file
            continue
        if not ws.closed:
            with contextlib.suppress(Exception):  # the file goes below, closed or not
                ws.close()
        if writer.out in ALL_TEMP_FILES:  # a sheet saved before a failing save is gone already
            writer.cleanup()
