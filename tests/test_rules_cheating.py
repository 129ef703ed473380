"""Cheat flags, with plain values: each check at its threshold and one step past it."""

import math
from datetime import datetime, timedelta

import pytest

from models.rules.cheating import (
    BURST_UPLOAD,
    CLOCK_SKEW,
    DUPLICATE_SCAN,
    FAR_FROM_CHECKPOINT,
    ONE_DEVICE_TWO_GUARDS,
    TOO_FAST,
    TWO_DEVICES_ONE_CHECKPOINT,
    Flag,
    burst_upload,
    clock_skew,
    distance_m,
    duplicate_scan,
    far_from_checkpoint,
    one_device_two_guards,
    too_fast,
    two_devices_one_checkpoint,
)

T = datetime(2026, 5, 4, 12, 0)  # naive UTC
# A checkpoint in Shanghai; one degree of latitude is ~111.195 km on the mean-radius sphere.
CP = (31.2304, 121.4737)
M_PER_DEG_LAT = 6_371_008.8 * math.pi / 180


def north(metres, origin=CP):
    """A point the given metres due north of origin."""
    return (origin[0] + metres / M_PER_DEG_LAT, origin[1])


def seconds(s):
    return T + timedelta(seconds=s)


def assert_flag(flag, code):
    assert isinstance(flag, Flag) and flag.code == code
    assert flag.reason and flag.reason_zh
    assert flag.reason.endswith(".") and flag.reason_zh.endswith("。")


# distance


def test_distance_known_values():
    assert distance_m(*CP, *CP) == 0
    assert distance_m(0, 0, 1, 0) == pytest.approx(M_PER_DEG_LAT)
    assert distance_m(*CP, *north(100)) == pytest.approx(100, abs=0.01)
    # Shanghai People's Square to the Bund (~1.9 km)
    assert distance_m(31.2304, 121.4737, 31.2400, 121.4900) == pytest.approx(1900, rel=0.05)
    assert distance_m(0, 0, 0, 180) == pytest.approx(math.pi * 6_371_008.8)


# far_from_checkpoint


def test_far_scan_is_flagged_with_the_numbers():
    flag = far_from_checkpoint(*north(200), 20, *CP, 50)
    assert_flag(flag, FAR_FROM_CHECKPOINT)
    assert "200 m" in flag.reason and "±20 m" in flag.reason and "50 m" in flag.reason
    assert "200米" in flag.reason_zh


def test_accuracy_explains_the_distance():
    # 60 m away with 80 m accuracy is not suspicious
    assert far_from_checkpoint(*north(60), 80, *CP, 50) is None
    # but 60 m away with 5 m accuracy is beyond a 50 m radius
    assert far_from_checkpoint(*north(60), 5, *CP, 50) is not None


@pytest.mark.parametrize(
    "distance,accuracy,flagged",
    [
        (70, 19.9, True),  # 70 - 19.9 = 50.1 > 50
        (70, 20.5, False),  # 49.5: inside
        (49.9, 0, False),
        (51, 0, True),
        (0, 0, False),
    ],
)
def test_accuracy_boundaries(distance, accuracy, flagged):
    flag = far_from_checkpoint(*north(distance), accuracy, *CP, 50)
    assert (flag is not None) == flagged


def test_distance_minus_accuracy_equal_to_radius_is_not_flagged():
    # Exactly at the boundary, free of float error: the measured distance itself sets the radius.
    here, there = (0.0, 0.0), (0.001, 0.0)
    d = distance_m(*here, *there)
    assert far_from_checkpoint(*there, 10, *here, d - 10) is None
    assert far_from_checkpoint(*there, 10, *here, d - 10.01) is not None


@pytest.mark.parametrize("accuracy", [None, 500.1, 2000, -1, float("nan")])
def test_missing_or_absurd_accuracy_is_not_judged(accuracy):
    assert far_from_checkpoint(*north(5000), accuracy, *CP, 50) is None


def test_accuracy_at_the_500_m_limit_is_still_judged():
    assert far_from_checkpoint(*north(5000), 500, *CP, 50) is not None
    assert far_from_checkpoint(*north(5000), 700, *CP, 50, max_accuracy_m=1000) is not None


def test_missing_coordinates_give_no_flag():
    # Basements have no GPS; a checkpoint may never have been surveyed.
    assert far_from_checkpoint(None, None, None, *CP, 50) is None
    assert far_from_checkpoint(None, CP[1], 10, *CP, 50) is None
    assert far_from_checkpoint(*north(5000), 10, None, None, 50) is None


def test_default_radius_is_50_m():
    assert far_from_checkpoint(*north(49), 0, *CP) is None
    assert far_from_checkpoint(*north(51), 0, *CP) is not None


# too_fast


def test_running_between_checkpoints_is_flagged():
    flag = too_fast(T, *CP, seconds(60), *north(600))
    assert_flag(flag, TOO_FAST)
    assert "600 m" in flag.reason and "10.0 m/s" in flag.reason and "2.5 m/s" in flag.reason
    assert "600米" in flag.reason_zh


def test_walking_is_not_flagged():
    assert too_fast(T, *CP, seconds(300), *north(400)) is None  # 1.33 m/s


def test_speed_exactly_at_the_limit_is_not_flagged_just_over_is():
    here, there = (0.0, 0.0), (0.001, 0.0)
    d = distance_m(*here, *there)  # ~111 m
    limit = d / 40  # exactly the speed of this move in 40 s
    assert too_fast(T, *here, seconds(40), *there, max_speed_mps=limit) is None
    assert too_fast(T, *here, seconds(39), *there, max_speed_mps=limit) is not None
    # with the default 2.5 m/s: 100 m in 40 s exactly at the limit, in 39 s over it
    assert too_fast(T, *CP, seconds(40.01), *north(100)) is None
    assert too_fast(T, *CP, seconds(39), *north(100)) is not None


def test_zero_seconds_at_different_places_is_too_fast():
    flag = too_fast(T, *CP, T, *north(300))
    assert_flag(flag, TOO_FAST)
    assert "0 s" in flag.reason


def test_same_place_is_never_too_fast():
    assert too_fast(T, *CP, T, *CP) is None
    assert too_fast(T, *CP, seconds(1), *north(20)) is None  # GPS noise
    assert too_fast(T, *CP, seconds(1), *north(21)) is not None
    assert too_fast(T, *CP, seconds(1), *north(10), same_place_m=0) is not None
    here, there = (0.0, 0.0), (0.0005, 0.0)
    d = distance_m(*here, *there)  # ~56 m, exactly the same-place limit below
    assert too_fast(T, *here, T, *there, same_place_m=d) is None
    assert too_fast(T, *here, T, *there, same_place_m=d - 0.01) is not None


def test_missing_coordinates_cannot_be_too_fast():
    assert too_fast(T, None, None, seconds(1), *north(5000)) is None
    assert too_fast(T, *CP, seconds(1), None, None) is None


def test_order_of_the_two_scans_does_not_matter():
    assert too_fast(seconds(60), *CP, T, *north(600)) is not None
    assert too_fast(seconds(300), *CP, T, *north(400)) is None


def test_bike_patrols_raise_the_speed():
    assert too_fast(T, *CP, seconds(100), *north(600), max_speed_mps=7) is None


# clock_skew


@pytest.mark.parametrize(
    "device_minus_server,offline,flagged",
    [
        (0, False, False),
        (300, False, False),  # exactly 5 minutes ahead
        (301, False, True),
        (-300, False, False),  # exactly 5 minutes behind
        (-301, False, True),
        (-3 * 3600, True, False),  # offline: taken 3 hours before the upload, expected
        (300, True, False),
        (301, True, True),  # offline but the device says a later time than the server
    ],
)
def test_clock_skew_boundaries(device_minus_server, offline, flagged):
    flag = clock_skew(seconds(device_minus_server), T, offline=offline)
    assert (flag is not None) == flagged


def test_clock_skew_reason_says_which_way():
    ahead = clock_skew(seconds(12 * 60), T)
    assert_flag(ahead, CLOCK_SKEW)
    assert "12 min ahead" in ahead.reason and "5 min" in ahead.reason
    assert "快12分钟" in ahead.reason_zh
    behind = clock_skew(seconds(-(2 * 3600 + 600)), T)
    assert "2 h 10 min behind" in behind.reason and "慢2小时10分" in behind.reason_zh


def test_clock_tolerance_is_a_parameter():
    assert clock_skew(seconds(120), T, tolerance_minutes=1) is not None
    assert clock_skew(seconds(120), T, tolerance_minutes=2) is None


# duplicate_scan


@pytest.mark.parametrize(
    "gap,flagged", [(0, True), (20, True), (60, True), (61, False), (3600, False)]
)
def test_duplicate_scan_within_a_minute(gap, flagged):
    flag = duplicate_scan(T, seconds(gap))
    assert (flag is not None) == flagged
    if flagged:
        assert_flag(flag, DUPLICATE_SCAN)


def test_duplicate_scan_needs_a_previous_scan():
    assert duplicate_scan(None, T) is None
    # an offline batch may arrive out of order: the gap counts either way
    assert duplicate_scan(seconds(30), T) is not None
    assert duplicate_scan(seconds(90), T) is None
    assert duplicate_scan(T, seconds(90), window_seconds=120) is not None


# two_devices_one_checkpoint


def test_two_phones_at_one_checkpoint_within_a_minute():
    flag = two_devices_one_checkpoint([seconds(-600), seconds(15)], T)
    assert_flag(flag, TWO_DEVICES_ONE_CHECKPOINT)
    assert "15 s" in flag.reason  # the nearest of the other phone's scans
    assert two_devices_one_checkpoint([seconds(60)], T) is not None
    assert two_devices_one_checkpoint([seconds(-60)], T) is not None
    assert two_devices_one_checkpoint([seconds(61), seconds(-61)], T) is None
    assert two_devices_one_checkpoint([], T) is None


# one_device_two_guards


def test_one_phone_for_two_guards_in_a_shift():
    flag = one_device_two_guards({7, 12, 15}, 7)
    assert_flag(flag, ONE_DEVICE_TWO_GUARDS)
    assert "12, 15" in flag.reason and "12、15" in flag.reason_zh
    assert one_device_two_guards({7, 12}, 12) is not None
    assert one_device_two_guards({7}, 7) is None
    assert one_device_two_guards(set(), 7) is None  # the phone's first scan this shift


# burst_upload


ROUND_END = T + timedelta(hours=1)


def test_all_scans_in_one_burst_long_after_the_round_is_flagged():
    device_times = [seconds(7200 + s) for s in (0, 20, 45, 90)]
    flag = burst_upload(device_times, ROUND_END + timedelta(hours=2), ROUND_END)
    assert_flag(flag, BURST_UPLOAD)
    assert "All 4 scans" in flag.reason and "1 min 30 s" in flag.reason
    assert "2 h" in flag.reason and "全部4次" in flag.reason_zh


def test_genuine_offline_round_spread_over_the_walk_is_not_flagged():
    # A basement round: scans every 10 minutes with no signal, uploaded 2 hours later.
    device_times = [seconds(600 * i) for i in range(5)]
    assert burst_upload(device_times, ROUND_END + timedelta(hours=2), ROUND_END) is None


def test_a_burst_uploaded_promptly_is_not_this_flag():
    device_times = [seconds(s) for s in (0, 10, 20)]
    assert burst_upload(device_times, ROUND_END + timedelta(minutes=30), ROUND_END) is None


@pytest.mark.parametrize(
    "spread,late,flagged",
    [
        (120, 31, True),  # spread exactly at the burst limit, upload a minute past
        (121, 31, False),  # spread one second over: the scans were spread out
        (120, 30, False),  # uploaded exactly 30 minutes after the end: not late
        (0, 30 + 1 / 60, True),  # one second past
    ],
)
def test_burst_boundaries(spread, late, flagged):
    device_times = [seconds(0), seconds(spread)]
    flag = burst_upload(device_times, ROUND_END + timedelta(minutes=late), ROUND_END)
    assert (flag is not None) == flagged


def test_a_single_scan_or_none_is_no_burst():
    assert burst_upload([], ROUND_END + timedelta(hours=5), ROUND_END) is None
    assert burst_upload([T], ROUND_END + timedelta(hours=5), ROUND_END) is None
