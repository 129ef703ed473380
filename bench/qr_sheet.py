"""Benchmark: QR label sheets against bare qrcode, side by side in one run.

    python bench/qr_sheet.py [--labels N] [--runs N] [--summary FILE]

Makes 200 checkpoint labels with realistic Chinese names and signed scan URLs, then times

  product:  sheet_pdf() of all labels (A4, 12 a page, 300 dpi), and one label_png();
  baseline: bare qrcode.make(url) + PNG save for the same URLs (the stack's floor: no layout,
            no text, no page);

each as the median of --runs runs. Prints a Markdown table, and the process's peak RSS after a
one-page sheet and after the full sheets, to show that memory does not grow with the page count.
Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time

import qrcode
from common import ROOT, add_common_arguments, emit, emit_setup, proc_status_mb

sys.path.insert(0, str(ROOT))

from models.files.labels import LABELS_PER_PAGE, Label, label_png, sheet_pdf  # noqa: E402
from models.rules.qr_signing import make_token, new_site_secret, scan_url  # noqa: E402

BASE_URL = "https://xunjian.hrzx.com.cn"
SITE = "华润中心"
AREAS = ["B1停车库", "B2停车库", "B3停车库", "一层大堂", "裙楼三层商业", "十八层设备层", "天台"]
AREAS += ["东门道口", "西侧花园", "消防控制室外", "员工通道"]
THINGS = ["消防栓", "配电房", "水泵房", "消防通道", "应急出口", "电梯机房", "排烟风机房"]
THINGS += ["监控点", "垃圾站", "防火门", "灭火器箱", "集水井", "充电桩", "发电机房"]


def make_labels(count: int) -> list[Label]:
    rnd = random.Random(1)
    secret = new_site_secret()
    labels = []
    for i in range(count):
        checkpoint_id = 1000 + i
        area = rnd.choice(AREAS)
        title = f"{rnd.randint(1, 30)}号{rnd.choice(THINGS)}"
        if rnd.random() < 0.2:  # some names are long and wrap
            title = f"{area}东侧{title}及周边通道照明"
        labels.append(
            Label(
                url=scan_url(BASE_URL, make_token("c", 12, checkpoint_id, 1, secret)),
                title=title,
                subtitle=f"{area} · {SITE}",
                short_code=f"HRZX-C-{checkpoint_id:04d}",
            )
        )
    return labels


def bare_qrcode(urls: list[str]) -> int:
    total = 0
    for url in urls:
        buffer = io.BytesIO()
        qrcode.make(url).save(buffer)
        total += buffer.tell()
    return total


def timed(label: str, runs: int, work):
    """Median seconds of ``runs`` calls of ``work()``, and its last result."""
    seconds = []
    result = None
    for run in range(runs):
        print(f"{label}: run {run + 1}/{runs}", file=sys.stderr)
        start = time.perf_counter()
        result = work()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    add_common_arguments(parser, database=False)
    args = parser.parse_args()
    labels = make_labels(args.labels)
    urls = [label.url for label in labels]
    pages = -(-len(labels) // LABELS_PER_PAGE)

    # Warm-up (font loading, imports) and the memory of a one-page sheet.
    sheet_pdf(labels[:LABELS_PER_PAGE])
    rss_one_page = proc_status_mb("VmHWM")

    def progress(done: int, total: int) -> None:
        if done % 50 == 0 or done == total:
            print(f"  {done}/{total} labels", file=sys.stderr)

    sheet_s, pdf = timed("sheet_pdf", args.runs, lambda: sheet_pdf(labels, progress=progress))
    rss_all_pages = proc_status_mb("VmHWM")
    png_runs = max(args.runs, 20)
    png_s, png = timed("label_png", png_runs, lambda: label_png(labels[0]))
    bare_s, bare_bytes = timed("bare qrcode", args.runs, lambda: bare_qrcode(urls))

    n = len(labels)
    print()
    print(f"{n} labels, median of {args.runs} runs (label_png: {png_runs}).")
    print()
    print("| what | labels | pages | seconds | ms per label | output size |")
    print("|---|---:|---:|---:|---:|---:|")
    print(
        f"| sheet_pdf (A4, 300 dpi, 1-bit) | {n} | {pages} | {sheet_s:.2f} | "
        f"{sheet_s / n * 1000:.1f} | {len(pdf) / 1024:.0f} KiB PDF |"
    )
    print(
        f"| label_png (one label) | 1 | | {png_s:.3f} | {png_s * 1000:.1f} | "
        f"{len(png) / 1024:.1f} KiB PNG |"
    )
    print(
        f"| baseline: qrcode.make + PNG save | {n} | | {bare_s:.2f} | "
        f"{bare_s / n * 1000:.1f} | {bare_bytes / 1024:.0f} KiB of PNGs |"
    )
    print(f"| ratio sheet_pdf / baseline | | | {sheet_s / bare_s:.2f}x | | |")
    print()
    print(
        f"peak RSS: {rss_one_page:.0f} MB after a one-page sheet, "
        f"{rss_all_pages:.0f} MB after {args.runs} sheets of {pages} pages"
    )

    emit_setup(args.summary, "QR sheet", "", f"{n} labels, median of {args.runs} runs")
    sheet = f"QR sheet: {n} checkpoint labels as an A4 PDF ({pages} pages)"
    emit(
        args.summary,
        sheet,
        "",
        sheet_s,
        "s",
        baseline=bare_s,
        baseline_label="bare qrcode.make + PNG save",
    )
    rss = f"QR sheet: peak process RSS ({pages} pages)"
    one_page = "after a one-page sheet"
    emit(args.summary, rss, "", rss_all_pages, "MB", baseline=rss_one_page, baseline_label=one_page)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
