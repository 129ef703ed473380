"""Signs of a faked patrol: each check returns a Flag (or None) for a supervisor to look at.

Suspicious evidence is flagged, never silently accepted and never rejected outright: GPS
drifts, clocks drift, two guards may patrol together, so a flag is a question with the numbers
in it, and the supervisor answers it. (The one exception is the caller's: a duplicate scan
within a minute is dropped, but it gets the same Flag so the reason reads the same.)

The default thresholds are common industry practice for foot patrols, and every one is a
parameter so a site can tune it:
- checkpoint radius 50 m; GPS fixes worse than 500 m are ignored (a phone indoors reporting
  a cell-tower fix says nothing about where it is);
- 2.5 m/s (9 km/h, a jog) between checkpoints; moves up to 20 m count as the same place
  (ordinary phone GPS noise). Sites that patrol by bicycle or e-bike 巡逻车 raise the speed;
- device clock within 5 minutes of the server's (models/rules/offline.py CLOCK_TOLERANCE);
- the same checkpoint again within 60 s is a duplicate; two phones at one checkpoint within
  60 s, or one phone for two guards in a shift, is a question of patrolling for someone 代巡;
- a round whose scans all fall within 120 s and reach the server more than 30 minutes after
  the round ended looks scanned from photos of the labels afterwards.

Times are naive UTC; distances in metres; coordinates in WGS-84 degrees.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from models.rules.offline import CLOCK_TOLERANCE

FAR_FROM_CHECKPOINT = "far_from_checkpoint"
TOO_FAST = "too_fast"
CLOCK_SKEW = "clock_skew"
DUPLICATE_SCAN = "duplicate_scan"
TWO_DEVICES_ONE_CHECKPOINT = "two_devices_one_checkpoint"
ONE_DEVICE_TWO_GUARDS = "one_device_two_guards"
BURST_UPLOAD = "burst_upload"

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
CHECKPOINT_RADIUS_M = 50.0
MAX_ACCURACY_M = 500.0
MAX_SPEED_MPS = 2.5
SAME_PLACE_M = 20.0
DUPLICATE_WINDOW_SECONDS = 60
TWO_DEVICES_WINDOW_SECONDS = 60
BURST_SECONDS = 120
BURST_LATE_MINUTES = 30


@dataclass(frozen=True)
class Flag:
    code: str
    reason: str  # a short English sentence with the numbers, shown on the round
    reason_zh: str  # the same in Simplified Chinese


def _span_en(seconds: float) -> str:
    """A duration in words a supervisor reads at a glance: 45 s, 5 min 30 s, 2 h 10 min."""
    s = round(abs(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        m, s = divmod(s, 60)
        return f"{m} min {s} s" if s else f"{m} min"
    h, rest = divmod(s, 3600)
    m = rest // 60
    return f"{h} h {m} min" if m else f"{h} h"


def _span_zh(seconds: float) -> str:
    """The same duration in Chinese: 45秒, 5分30秒, 2小时10分."""
    s = round(abs(seconds))
    if s < 60:
        return f"{s}秒"
    if s < 3600:
        m, s = divmod(s, 60)
        return f"{m}分{s}秒" if s else f"{m}分钟"
    h, rest = divmod(s, 3600)
    m = rest // 60
    return f"{h}小时{m}分" if m else f"{h}小时"


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres between two WGS-84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    # min(): rounding can push h a hair above 1 for antipodal points.
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def far_from_checkpoint(
    scan_lat: float | None,
    scan_lon: float | None,
    accuracy_m: float | None,
    cp_lat: float | None,
    cp_lon: float | None,
    radius_m: float = CHECKPOINT_RADIUS_M,
    max_accuracy_m: float = MAX_ACCURACY_M,
) -> Flag | None:
    """Flag a scan whose distance from the checkpoint, less the GPS accuracy, exceeds the radius.

    The phone's accuracy is the radius it is fairly sure of, so only the part of the distance it
    cannot explain counts: a fix with 80 m accuracy 60 m away is not suspicious. No flag when
    there is nothing to judge: no coordinates (basements and stairwells have no GPS), a
    checkpoint never surveyed, or an accuracy missing, negative or above ``max_accuracy_m``
    (such a fix comes from cell towers or Wi-Fi guesses and would flag honest guards).
    """
    if None in (scan_lat, scan_lon, cp_lat, cp_lon):
        return None
    if accuracy_m is None or not 0 <= accuracy_m <= max_accuracy_m:
        return None
    distance = distance_m(scan_lat, scan_lon, cp_lat, cp_lon)
    if distance - accuracy_m <= radius_m:
        return None
    return Flag(
        FAR_FROM_CHECKPOINT,
        f"Scanned {distance:.0f} m from the checkpoint "
        f"(GPS accuracy ±{accuracy_m:.0f} m, allowed radius {radius_m:.0f} m).",
        f"扫码位置距点位{distance:.0f}米（定位精度±{accuracy_m:.0f}米，允许半径{radius_m:.0f}米）。",
    )


def too_fast(
    prev_at: datetime,
    prev_lat: float | None,
    prev_lon: float | None,
    at: datetime,
    lat: float | None,
    lon: float | None,
    max_speed_mps: float = MAX_SPEED_MPS,
    same_place_m: float = SAME_PLACE_M,
) -> Flag | None:
    """Flag a move between two scans faster than a guard on foot can go.

    The caller passes the scan's coordinates, or the checkpoint's when the scan has none. Moves
    of up to ``same_place_m`` are the same place (GPS noise between two fixes), never a flag;
    a real move in 0 seconds is always too fast. Exactly ``max_speed_mps`` is not a flag.
    """
    if None in (prev_lat, prev_lon, lat, lon):
        return None
    distance = distance_m(prev_lat, prev_lon, lat, lon)
    if distance <= same_place_m:
        return None
    seconds = abs((at - prev_at).total_seconds())  # an offline batch may arrive out of order
    if seconds > 0 and distance / seconds <= max_speed_mps:
        return None
    if seconds == 0:
        speed_en, speed_zh = "at the same moment", "同一时刻"
    else:
        speed = distance / seconds
        speed_en, speed_zh = f"{speed:.1f} m/s", f"{speed:.1f}米/秒"
    return Flag(
        TOO_FAST,
        f"Moved {distance:.0f} m between scans in {_span_en(seconds)} ({speed_en}), "
        f"faster than {max_speed_mps:g} m/s on foot.",
        f"两次扫码相距{distance:.0f}米，仅用{_span_zh(seconds)}（{speed_zh}），"
        f"超过步行上限{max_speed_mps:g}米/秒。",
    )


def clock_skew(
    device_at: datetime,
    server_at: datetime,
    tolerance_minutes: float = CLOCK_TOLERANCE / timedelta(minutes=1),
    offline: bool = False,
) -> Flag | None:
    """Flag a device clock more than the tolerance off the server's (offline: only if ahead).

    An online scan reaches the server at once, so a gap either way means the phone's clock is
    wrong or was set. A scan uploaded offline is expected to be older than its upload; only a
    device time later than the server's by more than the tolerance is impossible honestly.
    Exactly the tolerance is not a flag.
    """
    ahead = (device_at - server_at).total_seconds()  # > 0: the device says later
    limit = tolerance_minutes * 60
    if ahead <= limit and (offline or -ahead <= limit):
        return None
    direction_en, direction_zh = ("ahead of", "快") if ahead > 0 else ("behind", "慢")
    return Flag(
        CLOCK_SKEW,
        f"Device clock {_span_en(ahead)} {direction_en} the server "
        f"(tolerance {tolerance_minutes:g} min).",
        f"手机时间比服务器{direction_zh}{_span_zh(ahead)}（允许误差{tolerance_minutes:g}分钟）。",
    )


def duplicate_scan(
    prev_same_checkpoint_at: datetime | None,
    at: datetime,
    window_seconds: float = DUPLICATE_WINDOW_SECONDS,
) -> Flag | None:
    """Flag the same guard scanning the same checkpoint again within the window (inclusive)."""
    if prev_same_checkpoint_at is None:
        return None
    seconds = abs((at - prev_same_checkpoint_at).total_seconds())
    if seconds > window_seconds:
        return None
    return Flag(
        DUPLICATE_SCAN,
        f"Same checkpoint scanned again after {_span_en(seconds)} "
        f"(repeats within {window_seconds:g} s are duplicates).",
        f"同一点位{_span_zh(seconds)}后重复扫码（{window_seconds:g}秒内视为重复）。",
    )


def two_devices_one_checkpoint(
    other_device_scans_at: list[datetime],
    at: datetime,
    window_seconds: float = TWO_DEVICES_WINDOW_SECONDS,
) -> Flag | None:
    """Flag a checkpoint scanned by another phone within the window (inclusive) of this scan.

    One guard carrying a colleague's phone scans both at once 代巡. A paired patrol 双人巡逻
    raises it honestly too, which is why it is a flag for the supervisor, not a rejection.
    """
    gaps = [abs((at - other).total_seconds()) for other in other_device_scans_at]
    if not gaps or min(gaps) > window_seconds:
        return None
    seconds = min(gaps)
    return Flag(
        TWO_DEVICES_ONE_CHECKPOINT,
        f"Another phone scanned this checkpoint {_span_en(seconds)} apart "
        f"(within {window_seconds:g} s).",
        f"另一部手机在{_span_zh(seconds)}内扫了同一点位（{window_seconds:g}秒内），疑似代巡。",
    )


def one_device_two_guards(device_guard_ids_in_shift: set[int], guard_id: int) -> Flag | None:
    """Flag a phone that scanned for another guard in the same shift (patrolling for them 代巡).

    A shared duty phone 公用巡更机 handed over at the change of shift is fine: the caller
    passes only the guards the phone scanned for within this shift.
    """
    others = sorted(set(device_guard_ids_in_shift) - {guard_id})
    if not others:
        return None
    ids = ", ".join(str(i) for i in others)
    guards = "guards" if len(others) > 1 else "guard"
    ids_zh = "、".join(str(i) for i in others)
    return Flag(
        ONE_DEVICE_TWO_GUARDS,
        f"This phone also scanned for {guards} {ids} in the same shift.",
        f"同一手机本班次还为其他保安（{ids_zh}）扫码，疑似代巡。",
    )


def burst_upload(
    scan_device_times: list[datetime],
    upload_server_time: datetime,
    round_end: datetime,
    burst_seconds: float = BURST_SECONDS,
    late_minutes: float = BURST_LATE_MINUTES,
    min_scans: int = 2,
) -> Flag | None:
    """Flag a round whose scans all fall within burst_seconds and were uploaded long after it.

    The pattern is a guard scanning photos of every label in the office after the round: one
    tight burst, reaching the server late. A genuine offline round (basement, no signal) is also
    uploaded late, but its device times are spread over the walk, so it is not flagged; nor is
    a burst uploaded promptly (that is for ``too_fast`` to judge). A single scan is no burst.
    Exactly ``burst_seconds`` of spread is a burst; exactly ``late_minutes`` after is not late.
    """
    if len(scan_device_times) < max(2, min_scans):
        return None
    spread = (max(scan_device_times) - min(scan_device_times)).total_seconds()
    after = (upload_server_time - round_end).total_seconds()
    if spread > burst_seconds or after <= late_minutes * 60:
        return None
    n = len(scan_device_times)
    return Flag(
        BURST_UPLOAD,
        f"All {n} scans were taken within {_span_en(spread)} and uploaded "
        f"{_span_en(after)} after the round ended.",
        f"全部{n}次扫码在{_span_zh(spread)}内完成，且在任务结束{_span_zh(after)}后才上传，"
        f"疑似事后集中补扫。",
    )
