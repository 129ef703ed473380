"""The greeting-duty rota 迎候值班表: round robin, leave, one window a day, fairness, swaps."""

import random
from collections import Counter
from datetime import date, timedelta
from fractions import Fraction
from math import ceil, floor

import pytest

from models.rules.greeting_windows import duty_days
from models.rules.rota import (
    Assignment,
    Slot,
    build_rota,
    can_swap,
    fair_shares,
    open_slots,
)

WEEKDAYS = range(5)
EVERY_DAY = range(7)
# October 2025: National Day 1-8 off, Saturday 11 October worked 调休.
OCTOBER = duty_days(
    date(2025, 10, 1),
    date(2025, 10, 31),
    WEEKDAYS,
    {date(2025, 10, d) for d in range(1, 9)},
    extra_workdays={date(2025, 10, 11)},
)
NOVEMBER = duty_days(date(2025, 11, 1), date(2025, 11, 30), WEEKDAYS, set())


def days_between(first, last):
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def slots_for(days, windows=("morning",)):
    return [Slot(day, window) for day in days for window in windows]


def who(rota):
    return [a.manager_id for a in rota]


def counts(rota, managers):
    c = Counter(who(rota))
    return {m: c[m] for m in managers}


def assert_valid(rota, slots, unavailable):
    """Every slot filled once, nobody on leave, nobody twice a day."""
    assert sorted((a.day, a.window) for a in rota) == sorted((s.day, s.window) for s in slots)
    for a in rota:
        assert a.day not in unavailable.get(a.manager_id, set())
    per_day = Counter((a.day, a.manager_id) for a in rota)
    assert max(per_day.values(), default=1) == 1


def assert_within_fair_share(rota, slots, managers, unavailable):
    shares = fair_shares(slots, managers, unavailable)
    got = counts(rota, managers)
    for m in managers:
        assert floor(shares[m]) <= got[m] <= ceil(shares[m]), (m, got[m], shares[m])


def spread(got, managers):
    return max(got[m] for m in managers) - min(got[m] for m in managers)


# --- round robin ----------------------------------------------------------------------------


def test_round_robin_in_list_order():
    rota = build_rota(slots_for(NOVEMBER[:8]), [11, 12, 13, 14], unavailable={})
    assert who(rota) == [11, 12, 13, 14, 11, 12, 13, 14]
    assert [a.day for a in rota] == NOVEMBER[:8]


def test_rotation_starts_after_the_last_assigned():
    rota = build_rota(slots_for(NOVEMBER[:6]), [11, 12, 13, 14], unavailable={}, last_assigned=12)
    assert who(rota) == [13, 14, 11, 12, 13, 14]
    wrapped = build_rota(
        slots_for(NOVEMBER[:2]), [11, 12, 13, 14], unavailable={}, last_assigned=14
    )
    assert who(wrapped) == [11, 12]


def test_equally_owed_managers_go_in_turn_after_the_one_just_chosen():
    # Manager 2 is away on day one, so 3 (present then, and owed half a duty) comes before 2.
    # On day four 1 and 3 are owed alike: after 2 comes 3, not back to 1.
    days = NOVEMBER[:4]
    rota = build_rota(slots_for(days), [1, 2, 3], unavailable={2: {days[0]}})
    assert who(rota) == [1, 3, 2, 3]


def test_the_opening_manager_on_leave_passes_the_turn_on():
    rota = build_rota(
        slots_for(NOVEMBER[:4]),
        [11, 12, 13, 14],
        unavailable={13: {NOVEMBER[0]}},
        last_assigned=12,
    )
    assert who(rota)[0] == 14


def test_without_a_rotation_to_continue_the_fewest_duties_this_year_start():
    # The last manager has left the site: the one with the fewest duties this year opens.
    prior = {11: 5, 12: 4, 13: 4, 14: 6}
    rota = build_rota(
        slots_for(NOVEMBER[:4]),
        [11, 12, 13, 14],
        unavailable={},
        prior_counts=prior,
        last_assigned=99,
    )
    assert who(rota)[0] == 12
    assert who(rota) == [12, 13, 11, 14]  # then fewer duties this year first
    assert who(build_rota(slots_for(NOVEMBER[:2]), [11, 12], unavailable={})) == [11, 12]


def test_same_inputs_same_rota_whatever_the_slot_order():
    slots = slots_for(OCTOBER, ("morning", "evening"))
    leave = {2: set(OCTOBER[3:7]), 4: {OCTOBER[10]}}
    first = build_rota(slots, [1, 2, 3, 4, 5], unavailable=leave, last_assigned=3)
    again = build_rota(slots, [1, 2, 3, 4, 5], unavailable=leave, last_assigned=3)
    # Days listed backwards (windows still morning first): the rota is built in date order.
    backwards = [s for day in reversed(OCTOBER) for s in slots if s.day == day]
    reordered = build_rota(backwards, [1, 2, 3, 4, 5], unavailable=leave, last_assigned=3)
    assert first == again == reordered


# --- leave, holidays and fairness over a month ----------------------------------------------


def test_a_month_with_leave_and_holidays_is_fair():
    managers = [1, 2, 3, 4, 5]
    leave = {
        1: {date(2025, 10, d) for d in range(13, 18)},  # a working week away
        2: {date(2025, 10, 20), date(2025, 10, 21)},
    }
    slots = slots_for(OCTOBER)
    rota = build_rota(slots, managers, unavailable=leave)
    assert_valid(rota, slots, leave)
    assert not {a.day for a in rota} & {date(2025, 10, d) for d in range(1, 9)}
    assert date(2025, 10, 11) in {a.day for a in rota}  # the make-up Saturday is staffed
    assert_within_fair_share(rota, slots, managers, leave)
    got = counts(rota, managers)
    assert spread(got, [3, 4, 5]) <= 1  # never away: at most one apart
    assert got[1] <= min(got[3], got[4], got[5])  # away a week: not more than the others


def test_one_day_of_leave_each_on_comparable_days_keeps_them_within_one():
    managers = [1, 2, 3, 4]
    days = days_between(date(2026, 3, 1), date(2026, 3, 22))
    for leave in (
        {1: {days[2]}, 2: {days[7]}},
        {1: {days[0]}, 2: {days[21]}},
        {2: {days[0]}, 1: {days[1]}},
    ):
        slots = slots_for(days)
        rota = build_rota(slots, managers, unavailable=leave)
        got = counts(rota, managers)
        assert abs(got[1] - got[2]) <= 1
        assert spread(got, [3, 4]) <= 1
        assert_within_fair_share(rota, slots, managers, leave)


def test_back_from_leave_no_pile_of_catch_up_shifts():
    # An estate greets every evening; manager 1 is away the first two weeks of March.
    managers = [1, 2, 3, 4]
    days = days_between(date(2026, 3, 1), date(2026, 3, 31))
    leave = {1: set(days[:14])}
    slots = slots_for(days, ("evening",))
    rota = build_rota(slots, managers, unavailable=leave)
    assert_valid(rota, slots, leave)
    back = [a for a in rota if a.day >= date(2026, 3, 15)]
    got_back = counts(back, managers)
    # 17 evenings after the return among four: about four each, manager 1 no more than the
    # others (a catch-up rule would give them seven or eight of them).
    assert got_back[1] in (4, 5)
    assert got_back[1] <= min(got_back[m] for m in (2, 3, 4)) + 1
    mine = [a.day for a in back if a.manager_id == 1]
    gaps = [later - earlier for earlier, later in zip(mine, mine[1:], strict=False)]
    assert min(gaps) >= timedelta(days=3)  # no run of duties on their return
    # Over the month: their fair share is 17/4, not an equal quarter of 31.
    assert counts(rota, managers)[1] in (4, 5)
    assert_within_fair_share(rota, slots, managers, leave)


def test_fair_share_splits_each_day_among_those_present():
    days = [date(2026, 3, 2), date(2026, 3, 3)]
    shares = fair_shares(slots_for(days, ("morning", "evening")), [1, 2, 3, 4], {4: {days[0]}})
    # Day one: two windows among three (2/3 each); day two: among four (1/2 each).
    both = Fraction(2, 3) + Fraction(1, 2)
    assert shares == {1: both, 2: both, 3: both, 4: Fraction(1, 2)}


def test_stacked_leave_is_balanced_within_the_rounding():
    # Managers 1..8 each leave the day after their turn: the day-by-day choice alone leaves 9
    # and 10 with two duties each for a share of 3.43; the balancing pass moves shifts along
    # chains, and not the opening slot, which can stay.
    managers = list(range(1, 11))
    days = days_between(date(2026, 3, 2), date(2026, 3, 13))
    leave = {m: set(days[m:]) for m in range(1, 9)}
    slots = slots_for(days)
    rota = build_rota(slots, managers, unavailable=leave)
    assert_valid(rota, slots, leave)
    assert_within_fair_share(rota, slots, managers, leave)
    assert rota[0].manager_id == 1  # the opening slot still follows the rotation


@pytest.mark.parametrize("seed", range(40))
def test_random_months_stay_within_the_rounding(seed):
    rnd = random.Random(seed)
    managers = rnd.sample(range(1, 50), rnd.randint(2, 7))
    windows = ("morning", "evening")[: rnd.randint(1, 2)]
    days = duty_days(date(2026, 5, 1), date(2026, 5, 31), EVERY_DAY, set())
    leave = {}
    for m in managers:
        start = rnd.randrange(len(days))
        leave[m] = set(days[start : start + rnd.randint(0, 9)])
    for day in days:  # call enough people back that every window can be staffed
        for m in managers:
            if sum(day not in leave[x] for x in managers) >= len(windows):
                break
            leave[m].discard(day)
    slots = slots_for(days, windows)
    rota = build_rota(slots, managers, unavailable=leave, last_assigned=rnd.choice(managers))
    assert_valid(rota, slots, leave)
    assert_within_fair_share(rota, slots, managers, leave)


# --- a mixed site: two windows a day --------------------------------------------------------


def test_mixed_site_never_gives_one_manager_both_windows():
    managers = [1, 2, 3]
    days = days_between(date(2026, 3, 1), date(2026, 3, 31))
    slots = slots_for(days, ("morning", "evening"))
    rota = build_rota(slots, managers, unavailable={})
    assert who(rota)[:6] == [1, 2, 3, 1, 2, 3]
    assert_valid(rota, slots, {})
    assert counts(rota, managers) == {1: 21, 2: 21, 3: 20}


def test_mixed_site_with_two_left_both_stand_duty():
    managers = [1, 2, 3]
    days = days_between(date(2026, 3, 1), date(2026, 3, 31))
    leave = {3: set(days[9:12])}
    slots = slots_for(days, ("morning", "evening"))
    rota = build_rota(slots, managers, unavailable=leave)
    assert_valid(rota, slots, leave)
    for day in days[9:12]:
        assert sorted(a.manager_id for a in rota if a.day == day) == [1, 2]
    got = counts(rota, managers)
    assert abs(got[1] - got[2]) <= 1
    assert_within_fair_share(rota, slots, managers, leave)


# --- across months --------------------------------------------------------------------------


def test_next_month_continues_the_rotation():
    managers = [1, 2, 3, 4, 5]
    october_leave = {1: {date(2025, 10, d) for d in range(13, 18)}, 4: {date(2025, 10, 24)}}
    october = build_rota(slots_for(OCTOBER), managers, unavailable=october_leave)
    last = october[-1].manager_id
    november_leave = {2: {date(2025, 11, 3), date(2025, 11, 4)}}
    november = build_rota(
        slots_for(NOVEMBER),
        managers,
        unavailable=november_leave,
        prior_counts=counts(october, managers),
        last_assigned=last,
    )
    expected_first = next(
        m
        for m in managers[managers.index(last) + 1 :] + managers
        if NOVEMBER[0] not in november_leave.get(m, set())
    )
    assert november[0].manager_id == expected_first
    for rota, slots, leave in (
        (october, slots_for(OCTOBER), october_leave),
        (november, slots_for(NOVEMBER), november_leave),
    ):
        assert_valid(rota, slots, leave)
        assert_within_fair_share(rota, slots, managers, leave)
    assert spread(counts(november, managers), [1, 3, 5]) <= 1  # present all November


def test_a_team_without_leave_stays_within_one_over_two_months():
    managers = [1, 2, 3, 4]
    october = build_rota(slots_for(OCTOBER), managers, unavailable={})
    november = build_rota(
        slots_for(NOVEMBER), managers, unavailable={}, last_assigned=october[-1].manager_id
    )
    assert who(october + november) == [managers[i % 4] for i in range(len(OCTOBER + NOVEMBER))]
    assert spread(counts(october + november, managers), managers) <= 1


def test_year_counts_keep_managers_never_away_from_drifting_apart():
    # Manager 4 is away a few days each month. On the rotation alone, managers 1-3 (never
    # away) end the quarter at 18, 18 and 16 duties; giving the rounding up to whoever is
    # behind on the year keeps them within one.
    managers = [1, 2, 3, 4]
    months = [
        duty_days(date(2026, m, 1), date(2026, m + 1, 1) - timedelta(days=1), WEEKDAYS, set())
        for m in (3, 4, 5)
    ]
    away = [
        {date(2026, 3, 6), *days_between(date(2026, 3, 9), date(2026, 3, 12))},
        {date(2026, 4, 3), date(2026, 4, 6), date(2026, 4, 7)},
        {date(2026, 5, 6), date(2026, 5, 7), date(2026, 5, 8), date(2026, 5, 11)},
    ]
    total = dict.fromkeys(managers, 0)
    last = None
    for days, leave in zip(months, away, strict=True):
        rota = build_rota(
            slots_for(days),
            managers,
            unavailable={4: leave},
            prior_counts=dict(total),
            last_assigned=last,
        )
        assert last is None or rota[0].manager_id == managers[(managers.index(last) + 1) % 4]
        last = rota[-1].manager_id
        for m, n in counts(rota, managers).items():
            total[m] += n
        assert spread(total, [1, 2, 3]) <= 1


# --- rotas that cannot be staffed -----------------------------------------------------------


def test_everyone_on_leave_leaves_the_day_open():
    day, other = date(2026, 3, 10), date(2026, 3, 11)
    slots = slots_for([day, other])
    rota = build_rota(slots, [1, 2], unavailable={1: {day}, 2: {day}})
    assert [(a.day, a.manager_id) for a in rota] == [(other, 1)]
    assert open_slots(slots, rota) == [Slot(day, "morning")]


def test_a_short_day_staffs_what_it_can_and_the_period_goes_on():
    """Issue 24.9: one short day no longer refuses the whole period."""
    day = date(2026, 3, 10)
    slots = slots_for(days_between(day, day + timedelta(days=9)), ("morning", "evening"))
    unavailable = {2: {day}, 3: {day}}
    rota = build_rota(slots, [1, 2, 3], unavailable=unavailable)
    assert open_slots(slots, rota) == [Slot(day, "evening")]
    assert [(a.window, a.manager_id) for a in rota if a.day == day] == [("morning", 1)]
    assert len(rota) == len(slots) - 1
    per_day = Counter((a.day, a.manager_id) for a in rota)
    assert max(per_day.values()) == 1
    shares = fair_shares(slots, [1, 2, 3], unavailable)
    assert shares[1] == Fraction(1) + 9 * Fraction(2, 3)
    for m, n in counts(rota, [1, 2, 3]).items():
        assert floor(shares[m]) <= n <= ceil(shares[m])
    assert build_rota(slots_for([day], ("morning", "evening")), [], unavailable={}) == []


def test_bad_input_is_refused():
    assert build_rota([], [1, 2], unavailable={}) == []
    with pytest.raises(ValueError):
        build_rota(slots_for(NOVEMBER[:3]), [1, 2, 1], unavailable={})
    with pytest.raises(ValueError):
        build_rota(slots_for(NOVEMBER[:1]) * 2, [1, 2], unavailable={})


# --- swaps ----------------------------------------------------------------------------------

TODAY = date(2026, 3, 10)
PAST = Assignment(date(2026, 3, 5), "morning", 3)
A1 = Assignment(date(2026, 3, 10), "morning", 1)
A2 = Assignment(date(2026, 3, 10), "evening", 2)
B2 = Assignment(date(2026, 3, 11), "morning", 2)
B3 = Assignment(date(2026, 3, 11), "evening", 3)
C1 = Assignment(date(2026, 3, 12), "morning", 1)
ROTA = [PAST, A1, A2, B2, B3, C1]


def test_a_swap_between_two_managers_is_allowed():
    assert can_swap(A1, B3, ROTA, TODAY) is None  # today's shift can still be traded
    assert can_swap(B3, A1, ROTA, TODAY) is None
    assert can_swap(A1, A2, ROTA, TODAY) is None  # morning and evening of the same day
    assert can_swap(B3, C1, ROTA, TODAY) is None


def test_a_swap_with_oneself_is_refused():
    assert can_swap(A1, C1, ROTA, TODAY) == "same_manager"
    assert can_swap(A1, A1, ROTA, TODAY) == "same_manager"


def test_a_past_shift_cannot_be_swapped():
    assert can_swap(PAST, A1, ROTA, TODAY) == "past_shift"
    assert can_swap(B2, PAST, ROTA, TODAY) == "past_shift"
    assert can_swap(A1, B3, ROTA, date(2026, 3, 11)) == "past_shift"


def test_a_swap_that_doubles_a_day_is_refused():
    # Manager 2 would take 10 March's morning while already greeting that evening.
    assert can_swap(A1, B2, ROTA, TODAY) == "same_day_conflict"
    assert can_swap(B2, A1, ROTA, TODAY) == "same_day_conflict"
    # Manager 2 would take 11 March's evening next to their own morning.
    assert can_swap(A2, B3, ROTA, TODAY) == "same_day_conflict"


def test_a_shift_not_in_the_rota_is_not_found():
    assert can_swap(A1, Assignment(date(2026, 3, 13), "morning", 3), ROTA, TODAY) == "not_found"
    assert can_swap(Assignment(A1.day, A1.window, 3), B2, ROTA, TODAY) == "not_found"


@pytest.mark.parametrize("people", [2, 3, 4, 5, 6])
def test_a_mixed_site_is_fair_per_window(people):
    """Issue 24.1: four managers over two windows stood one window each all February."""
    managers = list(range(1, people + 1))
    february = duty_days(date(2027, 2, 1), date(2027, 2, 28), WEEKDAYS, set())
    slots = slots_for(february, ("morning", "evening"))
    rota = build_rota(slots, managers, unavailable={})
    assert_valid(rota, slots, {})
    for window in ("morning", "evening"):
        per_window = counts([a for a in rota if a.window == window], managers)
        assert spread(per_window, managers) <= 1, (window, per_window)


def test_per_window_fairness_holds_near_each_share_with_leave():
    rng = random.Random(24)
    days = duty_days(date(2027, 3, 1), date(2027, 3, 31), WEEKDAYS, set())
    slots = slots_for(days, ("morning", "evening"))
    for _ in range(150):
        managers = list(range(1, rng.randint(2, 7) + 1))
        unavailable = {m: {d for d in days if rng.random() < 0.1} for m in managers}
        rota = build_rota(slots, managers, unavailable=unavailable)
        assert_within_fair_share(rota, slots, managers, unavailable)
        for window in ("morning", "evening"):
            share = dict.fromkeys(managers, Fraction(0))
            for day in days:
                present = [m for m in managers if day not in unavailable[m]]
                staffed = ("morning", "evening")[: len(present)]
                for m in present:
                    if window in staffed:
                        share[m] += Fraction(1, len(present))
            got = counts([a for a in rota if a.window == window], managers)
            assert all(abs(got[m] - share[m]) <= 2 for m in managers), (window, got, share)
