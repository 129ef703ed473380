"""The console's own lists of the server's words stay the server's: every alert event a channel
may take is offered on the alerts screen, with a Chinese and an English label."""

import re
from pathlib import Path

from models.rules import robots

ALERTS_SCREEN = Path(__file__).resolve().parents[1] / "static/console/js/screens/alerts.js"


def test_the_alerts_screen_offers_every_event_with_both_labels():
    source = ALERTS_SCREEN.read_text()
    listed = re.search(r"const EVENTS = \[(.*?)\];", source, re.S).group(1)
    assert re.findall(r'"([a-z.]+)"', listed) == list(robots.EVENTS)
    for event, (chinese, english) in robots.EVENTS.items():
        assert f'"alerts.event.{event}": "{chinese}"' in source
        assert f'"alerts.event.{event}": "{english}"' in source
