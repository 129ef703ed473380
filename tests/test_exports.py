"""Exports HR opens in Excel: the streamed CSV and the .xlsx workbook, read back cell by cell."""

import csv
import io
import subprocess
import sys
import time
import tracemalloc

import pytest
from openpyxl import load_workbook

from models.files.exports import COLUMNS, csv_chunks, display_width, sheet_name, write_workbook

HEADERS_ZH = [
    "工号", "姓名", "项目", "班组", "岗位", "仪容仪表得分", "仪容检查次数", "服务礼仪得分",
    "礼仪检查次数", "迎候达标率(%)", "迎候班次", "巡更完成率(%)", "巡更任务数", "责任区域得分",
    "区域检查次数", "跟进及时率(%)", "跟进处理数", "按时处理数", "综合得分", "等级", "是否达标",
    "已关账",
]  # fmt: skip
SUMMARY_HEADERS_ZH = [
    "项目", "人数", "达标人数", "达标率(%)", "平均综合得分", "平均仪容仪表得分", "平均服务礼仪得分",
    "跟进处理数", "跟进及时率(%)",
]  # fmt: skip


def record(**values) -> dict:
    """A monthly record row with everything missing but what is given."""
    row = {key: None for key, *_ in COLUMNS}
    row["closed"] = False
    row.update(values)
    return row


GUARD = record(
    employee_no="HR0001",
    name="王建国",
    site="华润中心",
    team="护卫一班",
    job="guard",
    grooming_score=92.5,
    grooming_count=3,
    etiquette_score=None,  # not inspected this month: empty, not 0
    etiquette_count=0,
    patrol_completion=97.2,
    patrol_rounds=120,
    followup_rate=75.0,
    followup_count=4,
    followup_on_time=3,
    composite=95.1,
    grade="A",
    passed=True,
    closed=True,
    staff_id=17,  # extra keys from the computation are ignored
)
CLEANER = record(
    employee_no="HR0002",
    name="李秀英",
    site="华润中心",
    team="保洁班",
    job="cleaner",
    grooming_score=71.0,
    grooming_count=2,
    area_score=64.5,
    area_count=4,
    composite=67.8,
    grade="D",
    passed=False,
)
NOBODY_SAW = record(employee_no="HR0003", name="张伟", site="华润中心", team=None, job="engineer")
MANAGER = record(
    employee_no="WK0101",
    name="陈静",
    site="万科城市花园",
    team="管理处",
    job="manager",
    grooming_score=88.0,
    grooming_count=1,
    etiquette_score=85.5,
    etiquette_count=1,
    greeting_compliance=90.0,
    greeting_shifts=10,
    composite=87.9,
    grade="B",
    passed=True,
)
GARDENER = record(
    employee_no="WK0102",
    name="赵磊",
    site="万科城市花园",
    team="绿化班",
    job="gardener",
    area_score=None,
    area_count=0,
    grooming_score=79.9,
    grooming_count=2,
    composite=79.9,
    grade="C",
    passed=False,
)
SITES = [("华润中心", [GUARD, CLEANER, NOBODY_SAW]), ("万科城市花园", [MANAGER, GARDENER])]
SUMMARY = [
    {
        "site": "华润中心",
        "staff": 3,
        "passed": 1,
        "pass_rate": 50.0,
        "composite": 81.5,
        "grooming": 81.8,
        "etiquette": None,
        "followups_handled": 4,
        "followup_rate": 75.0,
    },
    {
        "site": "万科城市花园",
        "staff": 2,
        "passed": 1,
        "pass_rate": 50.0,
        "composite": 83.9,
        "grooming": 84.0,
        "etiquette": 85.5,
        "followups_handled": 0,
        "followup_rate": None,
    },
]


def values(ws, row: int) -> list:
    return [cell.value for cell in ws[row]]


@pytest.fixture
def workbook(tmp_path):
    path = tmp_path / "monthly.xlsx"
    write_workbook(path, month=202601, sites=SITES, summary=SUMMARY)
    wb = load_workbook(path)
    yield wb
    wb.close()


# --- workbook ----------------------------------------------------------------------------------


def test_summary_sheet_comes_first_then_one_sheet_per_site(workbook):
    assert workbook.sheetnames == ["汇总", "华润中心", "万科城市花园"]
    assert workbook.properties.title == "2026年01月 员工月度考核"


def test_summary_sheet_cell_by_cell(workbook):
    ws = workbook["汇总"]
    assert values(ws, 1) == SUMMARY_HEADERS_ZH
    assert values(ws, 2) == ["华润中心", 3, 1, 50.0, 81.5, 81.8, None, 4, 75.0]
    assert values(ws, 3) == ["万科城市花园", 2, 1, 50.0, 83.9, 84.0, 85.5, 0, None]
    assert ws.max_row == 3
    assert isinstance(ws["B2"].value, int) and ws["B2"].number_format == "0"
    # 50.0 is stored as the number 50 (Excel has one number type) and shown as 50.0.
    assert ws["D2"].data_type == "n" and ws["D2"].number_format == "0.0"
    assert ws["G2"].value is None  # no etiquette inspection at the site: empty
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:I3"


def test_site_sheet_header_is_row_one_bold_frozen_and_filtered(workbook):
    for ws in workbook.worksheets[1:]:
        assert values(ws, 1) == HEADERS_ZH  # no title row above it, so filters work
        assert all(cell.font.b for cell in ws[1])
        assert ws.freeze_panes == "A2"
    assert workbook["华润中心"].auto_filter.ref == "A1:V4"
    assert workbook["万科城市花园"].auto_filter.ref == "A1:V3"


def test_site_sheet_cells_numbers_texts_and_missing(workbook):
    ws = workbook["华润中心"]
    assert ws.max_row == 4
    guard = dict(zip(HEADERS_ZH, values(ws, 2), strict=True))
    assert guard == {
        "工号": "HR0001",
        "姓名": "王建国",
        "项目": "华润中心",
        "班组": "护卫一班",
        "岗位": "护卫员",
        "仪容仪表得分": 92.5,
        "仪容检查次数": 3,
        "服务礼仪得分": None,
        "礼仪检查次数": 0,
        "迎候达标率(%)": None,
        "迎候班次": None,
        "巡更完成率(%)": 97.2,
        "巡更任务数": 120,
        "责任区域得分": None,
        "区域检查次数": None,
        "跟进及时率(%)": 75.0,
        "跟进处理数": 4,
        "按时处理数": 3,
        "综合得分": 95.1,
        "等级": "A 优秀",
        "是否达标": "达标",
        "已关账": "是",
    }
    # Numbers are numbers (not text), scores shown with one decimal.
    assert ws["F2"].data_type == "n" and isinstance(ws["F2"].value, float)
    assert ws["F2"].number_format == "0.0"
    assert ws["L2"].number_format == "0.0"  # a percentage: 97.2, not 0.972
    assert ws["G2"].data_type == "n" and isinstance(ws["G2"].value, int)
    assert ws["G2"].number_format == "0"
    assert ws["I2"].value == 0  # a real 0 count stays 0

    cleaner = values(ws, 3)
    assert cleaner[4] == "保洁员"
    assert cleaner[13] == 64.5 and cleaner[14] == 4
    assert cleaner[19:] == ["D 基本合格", "未达标", "否"]

    # No data at all: every figure, the grade and the pass are empty.
    nobody = values(ws, 4)
    assert nobody[:5] == ["HR0003", "张伟", "华润中心", None, "工程"]
    assert nobody[5:21] == [None] * 16
    assert nobody[21] == "否"

    other = workbook["万科城市花园"]
    assert values(other, 2)[4] == "管理人员" and values(other, 2)[9] == 90.0
    assert values(other, 2)[19:21] == ["B 良好", "达标"]
    assert values(other, 3)[19:21] == ["C 合格", "未达标"]


def test_column_widths_leave_room_for_chinese_headers(workbook):
    ws = workbook["华润中心"]
    for index, header in enumerate(HEADERS_ZH):
        letter = ws.cell(row=1, column=index + 1).column_letter
        assert ws.column_dimensions[letter].width >= display_width(header) + 2
    assert ws.column_dimensions["C"].width >= 18  # site names are long


def test_english_workbook(tmp_path):
    path = tmp_path / "en.xlsx"
    write_workbook(path, month=202601, sites=SITES, summary=SUMMARY, language="en")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Summary", "华润中心", "万科城市花园"]
    ws = wb["华润中心"]
    assert values(ws, 1)[:6] == ["Employee no.", "Name", "Site", "Team", "Job", "Grooming score"]
    assert values(ws, 1)[-3:] == ["Grade", "Passed", "Month closed"]
    assert values(ws, 2)[4] == "Guard"
    assert values(ws, 2)[19:] == ["A Excellent", "Passed", "Yes"]
    assert values(ws, 3)[19:] == ["D Needs improvement", "Not passed", "No"]
    assert values(wb["Summary"], 1)[:4] == ["Site", "Staff", "Passed", "Pass rate (%)"]
    assert wb.properties.title == "Monthly records 2026-01"
    wb.close()


def test_unknown_language_is_refused_before_writing(tmp_path):
    path = tmp_path / "x.xlsx"
    with pytest.raises(ValueError, match="language"):
        write_workbook(path, month=202601, sites=SITES, summary=SUMMARY, language="fr")
    assert not path.exists()
    with pytest.raises(ValueError, match="month"):
        write_workbook(path, month=202613, sites=SITES, summary=SUMMARY)


def test_summary_may_be_filled_while_the_sites_are_written(tmp_path):
    """The API builds the summary as it goes through the sites: it is read after them."""
    summary = []

    def sites():
        for (name, rows), line in zip(SITES, SUMMARY, strict=True):
            summary.append(line)
            yield name, iter(rows)

    path = tmp_path / "lazy.xlsx"
    write_workbook(str(path), month=202601, sites=sites(), summary=summary)
    wb = load_workbook(path)
    assert [values(wb["汇总"], r)[0] for r in (2, 3)] == ["华润中心", "万科城市花园"]
    assert wb["华润中心"].max_row == 4
    wb.close()


def test_sheet_names_are_made_valid_and_unique(tmp_path):
    long_name = "深圳市南山区科技园北区高新技术产业园区综合服务中心二期A座写字楼"
    sites = [
        ("华润中心/A座: [东区]*?", [GUARD]),
        ("华润中心/A座: [东区]*?", [CLEANER]),  # same name again
        ("汇总", [MANAGER]),  # a site called like the summary sheet
        (long_name, [GARDENER]),
        (long_name, [GARDENER]),
        ("'Office'", []),  # an apostrophe may not start or end a sheet name
        ("Tower", []),
        ("TOWER", []),  # Excel compares sheet names without case
    ]
    path = tmp_path / "names.xlsx"
    write_workbook(path, month=202601, sites=sites, summary=[])
    wb = load_workbook(path)
    assert wb.sheetnames[:4] == [
        "汇总",
        "华润中心-A座- -东区---",
        "华润中心-A座- -东区--- (2)",
        "汇总 (2)",
    ]
    assert wb.sheetnames[4] == long_name[:31]
    assert wb.sheetnames[5] == long_name[:27] + " (2)"
    assert wb.sheetnames[6:] == ["Office", "Tower", "TOWER (2)"]
    assert all(len(name) <= 31 for name in wb.sheetnames)
    assert values(wb["汇总 (2)"], 2)[1] == "陈静"
    assert values(wb["Office"], 1) == HEADERS_ZH  # a site without records: just the header
    wb.close()


def test_sheet_name_edge_cases():
    used = set()
    assert sheet_name("", used) == "Sheet"
    assert sheet_name("history", used) == "history (1)"  # reserved by Excel
    assert sheet_name("A\x00B", used) == "AB"
    assert sheet_name("😀" * 20, used) == "😀" * 15  # 31 UTF-16 units: never half a character
    assert sheet_name("x" * 30 + "'abc", used) == "x" * 30  # no apostrophe at the end either


def test_formula_injection_is_neutralised_in_the_workbook(tmp_path):
    evil = record(
        employee_no="+86 1380000",
        name='=HYPERLINK("http://x")',
        site="华润中心",
        team="@SUM(A1)",
        job="-2+3",  # not a known job: shown as given, guarded
        composite=-1.5,  # numbers are never touched
        grade="#N/A",
    )
    path = tmp_path / "evil.xlsx"
    write_workbook(path, month=202601, sites=[("华润中心", [evil])], summary=[])
    ws = load_workbook(path)["华润中心"]
    assert values(ws, 2)[:5] == [
        "'+86 1380000",
        '\'=HYPERLINK("http://x")',
        "华润中心",
        "'@SUM(A1)",
        "'-2+3",
    ]
    assert all(ws.cell(row=2, column=c).data_type == "s" for c in (1, 2, 4, 5))
    assert ws["S2"].value == -1.5 and ws["S2"].data_type == "n"
    assert ws["T2"].value == "#N/A" and ws["T2"].data_type == "s"  # text, not an error cell


def test_control_characters_cannot_smuggle_a_formula(tmp_path):
    sneaky = record(employee_no="E1", name="\x01=1+1", site="华润中心", team="班\x07组")
    path = tmp_path / "sneaky.xlsx"
    write_workbook(path, month=202601, sites=[("华润中心", [sneaky])], summary=[])
    ws = load_workbook(path)["华润中心"]
    assert ws["B2"].value == "'=1+1" and ws["B2"].data_type == "s"
    assert ws["D2"].value == "班组"
    assert read_csv("".join(csv_chunks([sneaky])))[1][1] == "'=1+1"


def test_6000_rows_are_streamed_with_flat_memory(tmp_path):
    """Write-only mode: rows go to disk as they come. openpyxl's normal mode holds every cell
    (about 34 MB at its peak for these rows); streaming stays at a few MB."""

    def rows():
        for i in range(6000):
            yield {**GUARD, "employee_no": f"E{i:05d}", "name": f"员工{i}"}

    path = tmp_path / "big.xlsx"
    tracemalloc.start()
    try:
        write_workbook(path, month=202601, sites=[("华润中心", rows())], summary=SUMMARY[:1])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    assert path.stat().st_size > 100_000


def test_6000_rows_in_a_few_seconds(tmp_path):
    def rows():
        for i in range(6000):
            yield {**GUARD, "employee_no": f"E{i:05d}", "name": f"员工{i}"}

    path = tmp_path / "big.xlsx"
    started = time.perf_counter()
    write_workbook(path, month=202601, sites=[("华润中心", rows())], summary=SUMMARY[:1])
    elapsed = time.perf_counter() - started
    assert elapsed < 10, f"{elapsed:.1f} s"  # about 1.2 s on the project's 2-core machine

    wb = load_workbook(path, read_only=True)
    ws = wb["华润中心"]
    last = None
    count = 0
    for row in ws.iter_rows(min_row=2, values_only=True):
        count += 1
        last = row
    assert count == 6000
    assert last[:2] == ("E05999", "员工5999") and last[5] == 92.5
    wb.close()


# --- CSV ---------------------------------------------------------------------------------------


def read_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def test_csv_starts_with_bom_and_chinese_header():
    text = "".join(csv_chunks([GUARD]))
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    assert text.count("\ufeff") == 1
    assert read_csv(text)[0] == HEADERS_ZH


def test_csv_row_round_trips():
    table = read_csv("".join(csv_chunks([GUARD, CLEANER, NOBODY_SAW])))
    assert len(table) == 4
    assert table[1] == [
        "HR0001", "王建国", "华润中心", "护卫一班", "护卫员", "92.5", "3", "", "0", "", "", "97.2",
        "120", "", "", "75.0", "4", "3", "95.1", "A 优秀", "达标", "是",
    ]  # fmt: skip
    assert table[2][19:] == ["D 基本合格", "未达标", "否"]
    assert table[3][5:18] == [""] * 13  # missing is empty, never 0
    assert float(table[1][5]) == 92.5 and int(table[1][6]) == 3  # plain numbers


def test_csv_quotes_commas_quotes_and_line_breaks():
    tricky = {**GUARD, "name": '王"小明", 二号', "team": "一班\n夜班"}
    table = read_csv("".join(csv_chunks([tricky])))
    assert table[1][1] == '王"小明", 二号'
    assert table[1][3] == "一班\n夜班"


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://x")', "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_csv_formula_injection_is_neutralised(name):
    table = read_csv("".join(csv_chunks([{**GUARD, "name": name, "composite": -3.5}])))
    assert table[1][1] == "'" + name
    assert table[1][18] == "-3.5"  # numbers untouched


def test_csv_english():
    table = read_csv("".join(csv_chunks([GUARD, CLEANER], language="en")))
    assert table[0][:5] == ["Employee no.", "Name", "Site", "Team", "Job"]
    assert table[0][18:] == ["Composite score", "Grade", "Passed", "Month closed"]
    assert table[1][4] == "Guard" and table[1][19:] == ["A Excellent", "Passed", "Yes"]
    assert table[2][4] == "Cleaner" and table[2][19:] == ["D Needs improvement", "Not passed", "No"]


def test_csv_unknown_language_is_refused_at_the_call():
    with pytest.raises(ValueError, match="language"):
        csv_chunks([GUARD], language="fr")


def test_csv_header_comes_before_any_row_is_read():
    consumed = []

    def rows():
        consumed.append(1)
        yield GUARD
        raise RuntimeError("the database went away after the first row")

    chunks = csv_chunks(rows())
    assert consumed == []  # nothing is read when the generator is made
    header = next(chunks)
    assert consumed == []  # the header goes out before the first row is read
    assert read_csv(header) == [HEADERS_ZH]
    with pytest.raises(RuntimeError, match="went away"):
        next(chunks)


def test_csv_is_yielded_in_chunks_while_rows_are_read():
    consumed = 0

    def rows():
        nonlocal consumed
        for i in range(10_000):
            consumed += 1
            yield {**GUARD, "employee_no": f"E{i:05d}"}

    chunks = csv_chunks(rows())
    next(chunks)  # header
    first = next(chunks)
    assert 0 < consumed < 500  # one chunk of about 16 KB, not the whole file
    assert len(first) < 32 * 1024
    rest = list(chunks)
    assert consumed == 10_000
    table = read_csv("\ufeff" + first + "".join(rest))
    assert len(table) == 10_000
    assert table[-1][0] == "E09999"


def test_a_failure_while_reading_rows_leaves_no_file_behind(tmp_path):
    """A database error half-way: the error reaches the caller, no workbook is written and no
    temporary sheet file is left in the temporary folder."""
    from openpyxl.worksheet import _writer

    def rows():
        yield GUARD
        raise RuntimeError("the database went away")

    before = set(_writer.ALL_TEMP_FILES)
    path = tmp_path / "broken.xlsx"
    with pytest.raises(RuntimeError, match="went away"):
        write_workbook(path, month=202601, sites=[("华润中心", rows())], summary=SUMMARY)
    assert not path.exists()
    assert [p for p in _writer.ALL_TEMP_FILES if p not in before] == []


# The download left unclosed on purpose is closed by the garbage collector, which warns.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_downloading_the_workbook_leaves_no_file_behind(app, world, tmp_path, monkeypatch):
    """HR data is never left on disk: no file in the instance folder or the temporary folder,
    whether the download is read whole, left unclosed, or dropped after its first piece; and
    no named file even while a download is under way."""
    import gc
    import os
    import tempfile

    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))  # where openpyxl's sheets go
    folders = (app.instance_path, str(private_tmp))

    def files() -> dict[str, list[str]]:
        return {folder: sorted(os.listdir(folder)) for folder in folders}

    url = "/api/monthly/export.xlsx?month=202601"
    hr = world.headers("hr")
    world.token("hr")
    before = files()
    for _ in range(3):
        with world.client.get(url, headers=hr) as r:
            assert r.status_code == 200
            assert load_workbook(io.BytesIO(r.data)).sheetnames[0] == "汇总"
    r = world.client.get(url, headers=hr)  # never closed
    assert r.status_code == 200 and r.data[:2] == b"PK"
    assert files() == before
    # A client that goes away after the first piece, and one that is still downloading.
    dropped = world.client.get(url, headers=hr, buffered=False)
    next(iter(dropped.response))
    assert files() == before
    dropped.close()
    waiting = world.client.get(url, headers=hr, buffered=False)
    assert waiting.status_code == 200 and files() == before
    waiting.close()
    del r, dropped, waiting
    gc.collect()
    assert files() == before


def test_a_failure_while_saving_leaves_no_sheet_file_behind(tmp_path):
    """The workbook cannot be saved (here: its folder is missing): the error reaches the
    caller and the sheets' temporary files are removed all the same."""
    from openpyxl.worksheet import _writer

    before = set(_writer.ALL_TEMP_FILES)
    with pytest.raises(FileNotFoundError):
        write_workbook(
            tmp_path / "gone" / "monthly.xlsx", month=202601, sites=SITES, summary=SUMMARY
        )
    assert [p for p in _writer.ALL_TEMP_FILES if p not in before] == []


SHEETS_PAST_THE_LIMIT = """
import resource, sys
from models.files.exports import write_workbook

resource.setrlimit(resource.RLIMIT_NOFILE, (64, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
sites = [(f"项目{n}", iter([])) for n in range(200)]
write_workbook(sys.argv[1], month=202611, sites=sites, summary=[])
"""


def test_a_company_with_more_sites_than_open_files_allowed_is_written(tmp_path):
    """Each site's sheet is an open file until the workbook is saved: 200 sites under a soft
    limit of 64 open files (a 3,000-site company under the usual 1,024) still make the file."""
    path = tmp_path / "many.xlsx"
    done = subprocess.run(
        [sys.executable, "-c", SHEETS_PAST_THE_LIMIT, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    wb = load_workbook(path, read_only=True)
    assert len(wb.sheetnames) == 201 and wb.sheetnames[200] == "项目199"
    wb.close()
