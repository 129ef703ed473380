"""A chart's months: the twelve up to a month, across the turn of the year."""

from models.rules.periods import months_up_to


def test_twelve_months_up_to_march_cross_the_year():
    assert months_up_to(202603, 12) == [
        202504,
        202505,
        202506,
        202507,
        202508,
        202509,
        202510,
        202511,
        202512,
        202601,
        202602,
        202603,
    ]


def test_one_month_is_itself():
    assert months_up_to(202612, 1) == [202612]
