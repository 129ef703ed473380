"""How far a phone's own clock is believed, for everything recorded offline and sent later
(patrol scans, greeting checks, inspections)."""

from datetime import datetime, timedelta

# A phone's clock may run this far ahead of the server's and still be believed: phones set
# their time from the network, and a few minutes covers a phone that has been offline a while.
# Beyond it the record counts at the server's time (patrol and greeting, flagged as clock_skew)
# or is refused (an inspection dated in the future).
CLOCK_TOLERANCE = timedelta(minutes=5)
# How long a record made offline may wait for its upload: a phone kept without signal over a
# long weekend still sends its scans and checks; older ones are refused as too_old.
MAX_OFFLINE = timedelta(days=7)


def effective_time(device_at: datetime, now: datetime) -> datetime | None:
    """When a record made at the phone's time ``device_at`` counts, given the server's ``now``
    (both naive UTC): the phone's time, or ``now`` when the phone is ahead by more than
    CLOCK_TOLERANCE; None when it is older than MAX_OFFLINE (the caller refuses it)."""
    if device_at < now - MAX_OFFLINE:
        return None
    return device_at if device_at <= now + CLOCK_TOLERANCE else now
