"""Benchmark: the product's photo pipeline against bare Pillow, side by side in one run.

    python bench/photo_pipeline.py [--runs N] [--profile] [--summary FILE]

Makes a 12-megapixel phone-like JPEG (4000x3000, shapes, gradients and sensor-like noise so it
compresses like a real photo: ~4 MB; EXIF orientation 6, GPS, capture time), then times

  product: process_photo() end to end + FileStorage.put() of the image and the thumbnail
           into a temporary directory (fsync included);
  bare:    Pillow alone: open, draft, thumbnail(1600), JPEG encode of the same bytes;

interleaved run by run, so machine noise hits both alike. Prints a Markdown table with the
median and p95, their ratio, the peak memory of one upload (the RSS high-water mark of a fresh
process above its RSS before the upload: Pillow's pixel buffers are C memory), the tracemalloc
peak per upload (Python-level allocations only) and the process RSS after the first few
uploads and after all of them, to show that memory does not grow.

Goals: product median under 150 ms and within 1.5x of bare Pillow; RSS does not grow (less
than 10 MB over the second half of the timed uploads: the first few settle the allocators).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from common import ROOT, add_common_arguments, emit, emit_setup, goal, proc_status_mb
from PIL import ExifTags, Image, ImageChops, ImageDraw, ImageFilter

sys.path.insert(0, str(ROOT))

from models.files.imaging import ImageLimits, process_photo  # noqa: E402
from models.files.storage import FileStorage  # noqa: E402

STAMP_LINES = ["2026-11-23 08:31 +08:00", "华润大厦 · B2停车库 · 3号巡更点", "护卫员 张三"]
WARMUP_RUNS = 3
GOAL_MEDIAN_MS = 150.0
GOAL_RATIO = 1.5
GOAL_RSS_GROWTH_MB = 10.0


def make_phone_jpeg(width: int = 4000, height: int = 3000, seed: int = 1) -> bytes:
    """A JPEG that decodes and compresses like a phone photo, with the metadata phones add."""
    rnd = random.Random(seed)
    top = tuple(rnd.randrange(60, 230) for _ in range(3))
    bottom = tuple(rnd.randrange(20, 160) for _ in range(3))
    gradient = Image.linear_gradient("L").resize((width, height))
    size = (width, height)
    im = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), gradient)
    draw = ImageDraw.Draw(im)
    for _ in range(60):
        x0, y0 = rnd.randrange(-width // 4, width), rnd.randrange(-height // 4, height)
        x1 = x0 + rnd.randrange(width // 30, width // 2)
        y1 = y0 + rnd.randrange(height // 30, height // 2)
        colour = tuple(rnd.randrange(256) for _ in range(3))
        if rnd.random() < 0.5:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        else:
            corners = [(rnd.randrange(x0, x1), rnd.randrange(y0, y1)) for _ in range(5)]
            draw.polygon(corners, fill=colour)
    im = im.filter(ImageFilter.GaussianBlur(width / 800))  # lens softness
    noise = Image.merge("RGB", [Image.effect_noise((width, height), 12) for _ in range(3)])
    im = ImageChops.add(im, noise, scale=1.0, offset=-128)  # sensor noise

    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Xiaomi"
    exif[ExifTags.Base.Model] = "Redmi Note 13"
    exif[ExifTags.Base.Orientation] = 6  # phone held upright
    exif[ExifTags.IFD.Exif] = {
        ExifTags.Base.DateTimeOriginal: "2026:11:23 08:31:05",
        ExifTags.Base.OffsetTimeOriginal: "+08:00",
    }
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (31.0, 14.0, 22.5),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (121.0, 28.0, 1.2),
    }
    buffer = io.BytesIO()
    im.save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def run_product(data: bytes, storage: FileStorage, limits: ImageLimits) -> list[str]:
    photo = process_photo(
        data, declared_content_type="image/jpeg", stamp_lines=STAMP_LINES, limits=limits
    )
    return [storage.put(photo.image, ".jpg"), storage.put(photo.thumbnail, ".jpg")]


def run_bare(data: bytes, limits: ImageLimits) -> bytes:
    with Image.open(io.BytesIO(data)) as im:
        scale = limits.long_side / max(im.size)
        im.draft("RGB", (round(im.width * scale), round(im.height * scale)))
        im.thumbnail((limits.long_side, limits.long_side))
        buffer = io.BytesIO()
        im.save(buffer, "JPEG", quality=limits.quality)
    return buffer.getvalue()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def time_api_uploads(data: bytes, runs: int) -> list[float]:
    """POST /api/photos through the real app (auth, multipart, pipeline, reuse lookup, SQLite
    row, files) with Flask's test client, so only the network is left out. Each upload gets
    a few different bytes after the JPEG end marker, as every real photo is a new file."""
    import os
    import uuid

    from api import create_app
    from api.security import hash_password
    from models.tables.accounts import User, UserSite
    from models.tables.checklists import sync_checklists
    from models.tables.org import Site
    from models.tables.schema import upgrade

    with tempfile.TemporaryDirectory(prefix="photo-api-bench-") as tmp:
        os.environ["XUNJIAN_INSTANCE_PATH"] = tmp
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.db", "ACCESS_LOG": False})
        with app.app_context():
            upgrade()
            sync_checklists(app.extensions["xunjian"]["checklists"])
            site = Site.create(name="基准大厦", code="BENCH", site_type="office")
            user = User.create(
                username="guard", role="guard", password_hash=hash_password("bench-password")
            )
            UserSite.create(user=user, site=site)
        client = app.test_client()
        token = client.post(
            "/api/auth/login", json={"username": "guard", "password": "bench-password"}
        ).json["token"]
        headers = {"Authorization": f"Bearer {token}"}
        timings = []
        for i in range(runs + WARMUP_RUNS):
            body = {
                "site_id": str(site.id),
                "place": "B2停车库",
                "id": str(uuid.uuid4()),
                "file": (io.BytesIO(data + os.urandom(8)), "photo.jpg", "image/jpeg"),
            }
            start = time.perf_counter()
            response = client.post(
                "/api/photos", headers=headers, data=body, content_type="multipart/form-data"
            )
            elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 201, response.json
            if i >= WARMUP_RUNS:
                timings.append(elapsed)
        app.extensions["xunjian"]["database"].close_all()
    return timings


def peak_of_one_upload(side: str, path: Path) -> float:
    """MB the RSS of a fresh process rises to above its resting RSS (modules imported, input
    read) during one upload on ``side`` ("product" or "bare")."""
    out = subprocess.run(
        [sys.executable, __file__, "--peak-of", side, str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(out.split()[-1])


def print_peak_of_one_upload(side: str, path: Path) -> None:
    data = path.read_bytes()
    limits = ImageLimits()
    with tempfile.TemporaryDirectory(prefix="photo-peak-") as tmp:
        storage = FileStorage(Path(tmp))
        resting = proc_status_mb("VmRSS")
        if side == "product":
            run_product(data, storage, limits)
        else:
            run_bare(data, limits)
        print(proc_status_mb("VmHWM") - resting)


def _cleanup(storage: FileStorage, keys: list[str]) -> None:
    """Content-addressed puts of the same bytes are no-ops: remove them (untimed) so every
    timed run really writes and fsyncs both files."""
    for key in keys:
        storage.delete(key)


def _timed_runs(
    data: bytes, storage: FileStorage, limits: ImageLimits, runs: int
) -> tuple[list[float], list[float], float]:
    """Milliseconds of each product and each bare upload, interleaved, and the process RSS
    halfway through."""
    product_ms: list[float] = []
    bare_ms: list[float] = []

    def time_product() -> None:
        start = time.perf_counter()
        keys = run_product(data, storage, limits)
        product_ms.append((time.perf_counter() - start) * 1000)
        _cleanup(storage, keys)

    def time_bare() -> None:
        start = time.perf_counter()
        run_bare(data, limits)
        bare_ms.append((time.perf_counter() - start) * 1000)

    for i in range(runs):
        # Alternate which side goes first so neither always runs right after the other.
        first, second = (time_product, time_bare) if i % 2 == 0 else (time_bare, time_product)
        first()
        second()
        if i == runs // 2 - 1:
            gc.collect()
            rss_midway = proc_status_mb("VmRSS")
    return product_ms, bare_ms, rss_midway


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40, help="timed uploads per side")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of product")
    parser.add_argument("--peak-of", nargs=2, metavar=("SIDE", "JPEG"), help=argparse.SUPPRESS)
    add_common_arguments(parser, database=False)
    args = parser.parse_args()
    if args.peak_of:
        print_peak_of_one_upload(args.peak_of[0], Path(args.peak_of[1]))
        return 0
    runs = max(args.runs, 5)
    limits = ImageLimits()

    data = make_phone_jpeg()
    print(f"input: 4000x3000 JPEG, {len(data) / 1e6:.2f} MB, EXIF orientation 6 + GPS")

    with tempfile.TemporaryDirectory(prefix="photo-bench-") as tmp:
        storage = FileStorage(Path(tmp))

        for _ in range(WARMUP_RUNS):
            _cleanup(storage, run_product(data, storage, limits))
            run_bare(data, limits)
        rss_after_warmup = proc_status_mb("VmRSS")

        product_ms, bare_ms, rss_midway = _timed_runs(data, storage, limits, runs)
        gc.collect()
        rss_after_all = proc_status_mb("VmRSS")

        # Memory per upload, measured apart from the timings (tracemalloc slows Python code).
        tracemalloc.start()
        tracemalloc.reset_peak()
        _cleanup(storage, run_product(data, storage, limits))
        _, product_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        run_bare(data, limits)
        _, bare_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        (Path(tmp) / "input.jpg").write_bytes(data)
        product_rss_peak = peak_of_one_upload("product", Path(tmp) / "input.jpg")
        bare_rss_peak = peak_of_one_upload("bare", Path(tmp) / "input.jpg")

        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(10):
                _cleanup(storage, run_product(data, storage, limits))
            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats("tottime")
            stats.print_stats(15)

    api_ms = time_api_uploads(data, runs)
    product_median, bare_median = statistics.median(product_ms), statistics.median(bare_ms)
    ratio = product_median / bare_median
    print()
    print(f"{runs} uploads per side, interleaved; input {len(data) / 1e6:.2f} MB.")
    print()
    print("| pipeline | median ms | p95 ms | peak RSS / upload | tracemalloc peak / upload |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| product: process_photo + 2x FileStorage.put | {product_median:.1f} | "
        f"{p95(product_ms):.1f} | {product_rss_peak:.1f} MB | {product_peak / 1e6:.1f} MB |"
    )
    print(
        f"| bare Pillow: draft + thumbnail(1600) + encode | {bare_median:.1f} | "
        f"{p95(bare_ms):.1f} | {bare_rss_peak:.1f} MB | {bare_peak / 1e6:.1f} MB |"
    )
    print(
        f"| API: POST /api/photos end to end (test client, SQLite) | "
        f"{statistics.median(api_ms):.1f} | {p95(api_ms):.1f} | | |"
    )
    print(f"| ratio product / bare (median) | {ratio:.2f}x | | | |")
    print(f"| ratio API / bare (median) | {statistics.median(api_ms) / bare_median:.2f}x | | | |")
    print(
        f"| process RSS after {WARMUP_RUNS} warm-up uploads -> after {runs // 2} more "
        f"-> after all {runs} | {rss_after_warmup:.0f} MB -> {rss_midway:.0f} MB -> "
        f"{rss_after_all:.0f} MB | | | |"
    )
    print()
    met = product_median < GOAL_MEDIAN_MS and ratio <= GOAL_RATIO
    print(
        f"goal (median < {GOAL_MEDIAN_MS:.0f} ms and <= {GOAL_RATIO}x bare): "
        f"{'met' if met else 'NOT met'}"
    )

    megapixels = "one 12 MP phone JPEG (4000x3000)"
    emit_setup(
        args.summary,
        "photo pipeline",
        "",
        f"{megapixels}, {len(data) / 1e6:.1f} MB, {runs} uploads per side, interleaved",
    )
    pipeline = f"photo pipeline: {megapixels} through process_photo + storage (median)"
    goals = [goal("product", "<", GOAL_MEDIAN_MS), goal("ratio", "<=", GOAL_RATIO)]
    bare = "bare Pillow: draft + thumbnail(1600) + encode"
    emit(
        args.summary,
        pipeline,
        "",
        product_median,
        "ms",
        baseline=bare_median,
        baseline_label=bare,
        goals=goals,
    )
    for measure, database, value, unit, baseline in (
        (
            "photo upload `POST /api/photos` end to end, test client (median)",
            "SQLite",
            statistics.median(api_ms),
            "ms",
            bare_median,
        ),
        (
            "photo pipeline: peak memory of one upload (RSS rise in a fresh process)",
            "",
            product_rss_peak,
            "MB",
            bare_rss_peak,
        ),
    ):
        emit(
            args.summary,
            measure,
            database,
            value,
            unit,
            baseline=baseline,
            baseline_label="bare Pillow",
        )
    growth = (
        f"photo pipeline: process RSS growth over the last {runs - runs // 2} of {runs} uploads"
    )
    growth += f" (RSS {rss_after_all:.0f} MB at the end)"
    growth_goals = [goal("product", "<", GOAL_RSS_GROWTH_MB)]
    emit(args.summary, growth, "", rss_after_all - rss_midway, "MB", goals=growth_goals)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
