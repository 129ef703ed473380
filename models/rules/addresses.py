"""Where a URL points: this machine, a private network, or anywhere else — judged from the URL's
text alone.

Two uses: an alert webhook may not be aimed at the server itself or into the company's (or the
cloud's) internal network, where a POST from the server could reach what the outside cannot
(server-side request forgery); and a printed label must carry an address the guards' phones
can reach, never the server's loopback address.

Host names are NOT resolved (no DNS look-up when a URL is saved: the answer could change
afterwards anyway). Only ``localhost`` (and ``*.localhost``, RFC 6761) and literal IP addresses
are judged; every other name counts as public. A literal address is read the way the system's
resolver reads it, so ``http://2130706433/``, ``http://0x7f.1/`` and ``http://0177.0.0.1/``
are 127.0.0.1, and ``[::ffff:127.0.0.1]`` is too.
"""

import ipaddress
import re
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

LOOPBACK = "loopback"
PRIVATE = "private"
PUBLIC = "public"

# This machine: loopback, and "this network" (connecting to 0.0.0.0 or :: reaches the host).
_THIS_MACHINE = tuple(
    ipaddress.ip_network(n) for n in ("127.0.0.0/8", "0.0.0.0/8", "::1/128", "::/128")
)
_PRIVATE = tuple(
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        # Link-local; 169.254.169.254 is the metadata service of most clouds.
        "169.254.0.0/16",
        # Carrier-grade NAT space; Alibaba Cloud's metadata service is 100.100.100.200.
        "100.64.0.0/10",
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
    )
)
# IPv6 addresses that carry an IPv4 address in their last 32 bits and reach it.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

_IPV4_PART = re.compile(r"(0x[0-9a-f]+|[0-9]+)", re.IGNORECASE)


def url_host(url: str) -> str:
    """The host of a URL, lower case, without brackets or port ('' when there is none)."""
    try:
        return urlsplit(url.strip()).hostname or ""
    except ValueError:  # e.g. an unbalanced bracket
        return ""


def legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """An IPv4 address written as inet_aton(3) accepts it, which is how the system's resolver
    reads a numeric host: 1 to 4 dot-separated parts, each decimal, octal (leading 0) or hex
    (0x); the last part fills the remaining bytes (``127.1``, ``2130706433``). None otherwise."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(_IPV4_PART.fullmatch(p) for p in parts):
        return None
    values = []
    for part in parts:
        if part[:2].lower() == "0x":
            values.append(int(part[2:], 16))
        elif len(part) > 1 and part.startswith("0"):
            if any(c in "89" for c in part):
                return None
            values.append(int(part, 8))
        else:
            values.append(int(part))
    *leading, last = values
    if any(v > 255 for v in leading) or last >= 256 ** (5 - len(values)):
        return None
    number = 0
    for v in leading:
        number = number * 256 + v
    number = number * 256 ** (5 - len(values)) + last
    return ipaddress.IPv4Address(number)


def literal_address(host: str) -> IPAddress | None:
    """The IP address a host names literally, or None for a DNS name."""
    host = host.strip().strip("[]").rstrip(".")
    if not host:
        return None
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if ":" in host:  # IPv6 with a zone the parser refused ("fe80::1%25eth0")
        try:
            return ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            return None
    return legacy_ipv4(host)


def host_kind(host: str) -> str:
    """LOOPBACK (this machine), PRIVATE (a private, link-local, unique-local or carrier-NAT
    network) or PUBLIC (anything else, including every DNS name but localhost)."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return LOOPBACK
    address = literal_address(name)
    if address is None:
        return PUBLIC
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            address = embedded
    if any(address in network for network in _THIS_MACHINE):
        return LOOPBACK
    if any(address in network for network in _PRIVATE):
        return PRIVATE
    return PUBLIC


def url_kind(url: str) -> str:
    """host_kind of a URL's host; a URL without a host counts as LOOPBACK (it reaches nothing
    outside)."""
    host = url_host(url)
    return host_kind(host) if host else LOOPBACK


def label_address_problem(url: str, *, production: bool) -> str | None:
    """Why phones may not reach a label's address, the most serious first: LOOPBACK (never),
    PRIVATE (only on the company's own network), "not_https" (in production, a label's link
    should be https), or None."""
    kind = url_kind(url)
    if kind != PUBLIC:
        return kind
    if production and urlsplit(url.strip()).scheme.lower() != "https":
        return "not_https"
    return None
