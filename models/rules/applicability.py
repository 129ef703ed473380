"""Which checklists and items apply to a subject: a staff member's job and gender, or an
area's type. A missing or empty list in ``applies_to`` means "everyone"; a restriction on an
attribute the subject does not have (a job, for an area) does not apply to it."""


def applies(applies_to: dict, *, job=None, gender=None, area_type=None) -> bool:
    for key, value in (("jobs", job), ("genders", gender), ("area_types", area_type)):
        allowed = applies_to.get(key) or []
        if allowed and value is not None and value not in allowed:
            return False
    return True


def applicable_items(content: dict, *, job=None, gender=None, area_type=None) -> list[dict]:
    """The items of a checklist version that the subject is inspected on, in order."""
    items = []
    for section in content["sections"]:
        for item in section["items"]:
            if applies(item.get("applies_to", {}), job=job, gender=gender, area_type=area_type):
                items.append({**item, "section": section["code"]})
    return items
