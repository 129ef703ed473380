"""Judging a round, its live state and matching a scan to a round, with plain values."""

from datetime import UTC, datetime, timedelta

import pytest

from models.rules.rounds import (
    Judgement,
    RoundPlan,
    ScanFact,
    Stop,
    judge_round,
    match_round,
    round_state_now,
)

START = datetime(2026, 5, 4, 12, 0)  # naive UTC
ROUTE = (Stop(1, 0), Stop(2, 10), Stop(3, 20), Stop(4, 30))


def plan(*, grace=10, duration=60, ordered=True, stops=ROUTE, starts_at=START):
    return RoundPlan(starts_at, stops, grace, duration, ordered)


def at(minutes=0, seconds=0):
    return START + timedelta(minutes=minutes, seconds=seconds)


def scans(*pairs):
    """(checkpoint, minutes after the start) pairs; minutes may be fractional."""
    return [ScanFact(cp, START + timedelta(minutes=m)) for cp, m in pairs]


def test_all_stops_in_order_on_time_is_complete():
    j = judge_round(plan(), scans((1, 1), (2, 11), (3, 21), (4, 31)))
    assert j == Judgement(
        status="complete",
        late=False,
        late_minutes=0,
        out_of_order=False,
        visited=(1, 2, 3, 4),
        missed=(),
        first_scan_at=at(1),
        last_scan_at=at(31),
    )


def test_some_stops_is_incomplete_and_lists_the_missed_in_route_order():
    j = judge_round(plan(), scans((3, 5), (1, 2)))
    assert j.status == "incomplete"
    assert j.visited == (1, 3) and j.missed == (2, 4)
    assert not j.out_of_order  # skipping is not disorder


def test_no_scans_is_missed_and_not_late():
    j = judge_round(plan(), [])
    assert j.status == "missed" and j.missed == (1, 2, 3, 4) and j.visited == ()
    assert not j.late and j.late_minutes == 0 and not j.out_of_order
    assert j.first_scan_at is None and j.last_scan_at is None


@pytest.mark.parametrize(
    "first_minute,late,late_minutes",
    [
        (0, False, 0),  # exactly at the start
        (10, False, 0),  # exactly at the end of the grace
        (10 + 1 / 60, True, 11),  # one second over: rounded up from the start
        (11, True, 11),  # one minute over
        (25.5, True, 26),
    ],
)
def test_lateness_boundaries(first_minute, late, late_minutes):
    j = judge_round(plan(), scans((1, first_minute), (2, 40)))
    assert (j.late, j.late_minutes) == (late, late_minutes)


def test_zero_grace_means_any_second_after_the_start_is_late():
    assert judge_round(plan(grace=0), scans((1, 0))).late is False
    j = judge_round(plan(grace=0), scans((1, 1 / 60)))
    assert j.late and j.late_minutes == 1


def test_window_edges_scan_exactly_at_end_counts_one_second_after_does_not():
    j = judge_round(plan(), scans((1, 0), (2, 60)))
    assert j.visited == (1, 2) and j.last_scan_at == at(60)
    j = judge_round(plan(), scans((1, 0), (2, 60 + 1 / 60)))
    assert j.visited == (1,)


def test_scan_before_the_start_belongs_to_no_round():
    j = judge_round(plan(), scans((1, -1 / 60), (2, 30)))
    assert j.visited == (2,) and j.missed == (1, 3, 4)
    assert j.first_scan_at == at(30) and j.late and j.late_minutes == 30


def test_a_repeated_checkpoint_counts_once_at_its_first_scan():
    j = judge_round(plan(), scans((1, 1), (2, 11), (1, 15), (1, 50), (2, 55)))
    assert j.visited == (1, 2) and j.status == "incomplete"
    assert j.last_scan_at == at(11)  # repeats do not stretch the round
    assert not j.out_of_order  # the later repeat of 1 is not a step backwards


def test_repeats_cannot_make_up_for_a_skipped_checkpoint():
    j = judge_round(plan(stops=(Stop(1, 0), Stop(2, 10))), scans((1, 1), (1, 2), (1, 3)))
    assert j.status == "incomplete" and j.missed == (2,)


def test_scans_of_checkpoints_not_on_the_route_are_ignored():
    j = judge_round(plan(), scans((99, 0), (1, 20)))
    assert j.visited == (1,) and j.first_scan_at == at(20) and j.late


def test_out_of_order_only_when_the_route_is_ordered():
    reversed_walk = scans((4, 1), (3, 2), (2, 3), (1, 4))
    assert judge_round(plan(ordered=True), reversed_walk).out_of_order is True
    assert judge_round(plan(ordered=False), reversed_walk).out_of_order is False
    j = judge_round(plan(ordered=False), reversed_walk)
    assert j.status == "complete" and j.visited == (4, 3, 2, 1)


def test_one_swap_is_out_of_order_a_subsequence_is_not():
    assert judge_round(plan(), scans((1, 1), (3, 2), (2, 3), (4, 4))).out_of_order
    assert not judge_round(plan(), scans((1, 1), (3, 2), (4, 4))).out_of_order
    assert not judge_round(plan(), scans((2, 1))).out_of_order


def test_scan_order_in_the_list_does_not_matter_only_time():
    shuffled = list(reversed(scans((1, 1), (2, 2), (3, 3), (4, 4))))
    j = judge_round(plan(), shuffled)
    assert j.visited == (1, 2, 3, 4) and not j.out_of_order


def test_equal_times_are_not_out_of_order():
    j = judge_round(plan(), scans((2, 5), (1, 5)))
    assert j.visited == (1, 2) and not j.out_of_order


def test_plan_validation():
    with pytest.raises(ValueError):
        plan(stops=())
    with pytest.raises(ValueError):
        plan(stops=(Stop(1, 0), Stop(1, 10)))
    with pytest.raises(ValueError):
        plan(duration=0)
    with pytest.raises(ValueError):
        plan(grace=-1)
    assert plan(duration=1, grace=0).duration_minutes == 1


def test_a_grace_longer_than_the_round_is_due_until_it_closes():
    # The schedule form allows it; a stored round must still be judged, never refused.
    p = plan(grace=90, duration=60)
    assert round_state_now(p, [], at(60)) == "due"
    assert round_state_now(p, [], at(61)) == "closed"
    assert judge_round(p, scans((1, 59))).late is False
    with pytest.raises(ValueError):
        plan(starts_at=START.replace(tzinfo=UTC))


@pytest.mark.parametrize(
    "now,state",
    [
        (at(seconds=-1), "upcoming"),
        (at(0), "due"),
        (at(10), "due"),  # exactly at the end of the grace
        (at(10, 1), "overdue"),  # one second past: shown at once
        (at(59), "overdue"),  # still open, still overdue
        (at(60), "overdue"),  # exactly the end: still open
        (at(60, 1), "closed"),
    ],
)
def test_state_without_scans(now, state):
    assert round_state_now(plan(), [], now) == state


def test_state_with_scans():
    p = plan()
    partial = scans((1, 12))
    assert round_state_now(p, partial, at(12)) == "in_progress"
    assert round_state_now(p, partial, at(30)) == "in_progress"  # late start, still walking
    everything = scans((1, 1), (2, 2), (3, 3), (4, 4))
    assert round_state_now(p, everything, at(3)) == "in_progress"
    assert round_state_now(p, everything, at(4)) == "done"
    assert round_state_now(p, everything, at(60)) == "done"
    assert round_state_now(p, everything, at(61)) == "closed"


def test_state_ignores_scans_not_yet_made_or_outside_the_window():
    p = plan()
    # A scan stamped after now has not happened yet; one before the start belongs to no round.
    assert round_state_now(p, scans((1, 5)), at(3)) == "due"
    assert round_state_now(p, scans((1, -5)), at(11)) == "overdue"
    assert round_state_now(p, scans((99, 1)), at(11)) == "overdue"


def test_match_round_picks_the_earliest_open_round_with_the_checkpoint():
    first = plan(starts_at=START)
    second = plan(starts_at=START + timedelta(minutes=30))
    other_route = plan(starts_at=START - timedelta(minutes=10), stops=(Stop(9, 0),))
    candidates = [(20, second), (10, first), (30, other_route)]
    assert match_round(candidates, 1, at(5)) == 10
    assert match_round(candidates, 1, at(45)) == 10  # both open: the earlier start
    assert match_round(candidates, 1, at(60)) == 10  # exactly the first round's end
    assert match_round(candidates, 1, at(60, 1)) == 20
    assert match_round(candidates, 1, at(90)) == 20
    assert match_round(candidates, 9, at(5)) == 30
    assert match_round(candidates, 9, at(55)) is None  # its window closed at +50


def test_match_round_none_for_a_scan_far_outside_any_round():
    candidates = [(10, plan())]
    assert match_round(candidates, 1, at(seconds=-1)) is None
    assert match_round(candidates, 1, at(60 * 24)) is None
    assert match_round(candidates, 77, at(5)) is None
    assert match_round([], 1, at(5)) is None


def test_match_round_equal_starts_go_to_the_lower_id():
    candidates = [(8, plan()), (5, plan())]
    assert match_round(candidates, 1, at(5)) == 5
