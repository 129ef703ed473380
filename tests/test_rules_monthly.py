"""The monthly record rules with plain values."""

from models.rules.monthly import StarRule, check_weights, composite, quarter_score, service_stars

GUARD = {"grooming": 30, "etiquette": 30, "patrol": 40}
MANAGER = {"grooming": 30, "etiquette": 30, "greeting": 40}


def test_composite_weights_per_role():
    values = {"grooming": 90, "etiquette": 80, "patrol": 50, "greeting": 100, "area": None}
    assert composite(values, GUARD) == round((30 * 90 + 30 * 80 + 40 * 50) / 100, 1)
    assert composite(values, MANAGER) == round((30 * 90 + 30 * 80 + 40 * 100) / 100, 1)


def test_missing_components_renormalise_never_count_as_zero():
    values = {"grooming": 90, "etiquette": None, "patrol": 60}
    assert composite(values, GUARD) == round((30 * 90 + 40 * 60) / 70, 1)
    assert composite({"grooming": None, "etiquette": None, "patrol": None}, GUARD) is None
    # A zero score is data, not missing.
    assert composite({"grooming": 0, "etiquette": None, "patrol": None}, GUARD) == 0


def test_quarter_is_the_average_of_existing_months():
    assert quarter_score([80, None, 90]) == 85
    assert quarter_score([None, None, None]) is None


def test_service_stars_rule():
    def person(no, score, grade="A", passed=True, critical=False, inspections=3):
        return {
            "employee_no": no,
            "composite": score,
            "grade": grade,
            "passed": passed,
            "critical_failed": critical,
            "inspections": inspections,
        }

    records = [
        person("A-1", 95),
        person("A-2", 99, critical=True),
        person("A-3", 97, inspections=1),
        person("A-4", 96),
        person("A-5", 96, inspections=5),
        person("A-6", 85, grade="B"),
        person("A-7", 92),
    ]
    stars = service_stars(records, StarRule(per_site=3, min_inspections=2))
    assert [s["employee_no"] for s in stars] == ["A-5", "A-4", "A-1"]


def test_weights_table_is_checked():
    jobs = ("guard", "manager")
    assert check_weights({"guard": GUARD, "manager": MANAGER}, jobs) == []
    problems = check_weights({"guard": {"grooming": -1, "charm": 5}}, jobs)
    assert any("charm" in p for p in problems) and any("manager" in p for p in problems)
    assert any("0 or more" in p for p in problems)
