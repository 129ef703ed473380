"""Where a URL points, from its text alone: this machine, a private network or the world."""

import ipaddress

import pytest

from models.rules.addresses import (
    LOOPBACK,
    PRIVATE,
    PUBLIC,
    host_kind,
    label_address_problem,
    legacy_ipv4,
    url_host,
    url_kind,
)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://127.8.9.10/hook",
        "http://localhost/",
        "http://LOCALHOST:8000/x",
        "http://localhost./",
        "http://api.localhost/",
        "http://[::1]/",
        "http://[::1]:8080/hook",
        "http://0.0.0.0:8000/",
        "http://[::]/",
        "http://[::ffff:127.0.0.1]/",
        # Numeric forms the system's resolver reads as 127.0.0.1.
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0x7f.1/",
        "http://127.1/",
        "http://0177.0.0.1/",
        "http://127.00.0.01/",
        "http://user:pw@127.0.0.1/",
        "http:///no-host",
    ],
)
def test_this_machine_is_loopback(url):
    assert url_kind(url) == LOOPBACK


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/",
        "http://10.255.255.255/",
        "http://172.16.0.1/",
        "http://172.31.255.254/",
        "http://192.168.1.20:8080/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.100.100.200/latest/meta-data/",
        "http://[fc00::1]/",
        "http://[fd12:3456:789a::1]/",
        "http://[fe80::1]/",
        "http://[fe80::1%25eth0]/",
        "http://[::ffff:10.1.2.3]/",
        "http://[::ffff:a9fe:a9fe]/",  # 169.254.169.254, mapped
        "http://[64:ff9b::c0a8:101]/",  # NAT64 of 192.168.1.1
        "http://0xa.1/",  # 10.0.0.1
        "http://012.0.0.1/",  # octal 10.0.0.1
        "http://3232235777/",  # 192.168.1.1
    ],
)
def test_private_networks_are_private(url):
    assert url_kind(url) == PRIVATE


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/hook",
        "https://hooks.example.cn:8443/x",
        "http://172.15.255.255/",  # just below 172.16/12
        "http://172.32.0.1/",  # just above it
        "http://192.169.0.1/",
        "http://100.63.255.255/",
        "http://8.8.8.8/",
        "http://[2001:db8::1]/",
        "http://[fbff::1]/",  # just below fc00::/7
        # Names are not resolved: one that happens to point at 127.0.0.1 still counts as public.
        "http://localtest.me/",
        "http://localhost.example.com/",
        "http://127.0.0.1.nip.io/",
        "http://0x7g.1/",
        "http://08.0.0.1/",  # not octal: a name
    ],
)
def test_everything_else_is_public(url):
    assert url_kind(url) == PUBLIC


def test_url_host_strips_brackets_port_and_case():
    assert url_host("http://[::1]:8080/x") == "::1"
    assert url_host("https://Example.COM:443/") == "example.com"
    assert url_host("not a url") == ""
    assert url_host("http://[::1/") == ""


def test_legacy_ipv4_reads_every_inet_aton_form_and_nothing_more():
    expected = ipaddress.IPv4Address("127.0.0.1")
    for text in ("127.0.0.1", "127.1", "127.0.1", "2130706433", "0x7f000001", "0x7F.0.0.1"):
        assert legacy_ipv4(text) == expected, text
    assert legacy_ipv4("1.2.3.4.5") is None
    assert legacy_ipv4("256.0.0.1") is None
    assert legacy_ipv4("1.2.65536") is None  # the last of three parts holds 16 bits
    assert legacy_ipv4("4294967296") is None  # beyond 32 bits
    assert legacy_ipv4("1..2") is None
    assert legacy_ipv4("example") is None


def test_host_kind_takes_bare_hosts():
    assert host_kind("127.0.0.1") == LOOPBACK
    assert host_kind("[::1]") == LOOPBACK
    assert host_kind("192.168.0.9") == PRIVATE
    assert host_kind("xunjian.example.cn") == PUBLIC


@pytest.mark.parametrize(
    "url,production,problem",
    [
        ("http://127.0.0.1:8000", False, LOOPBACK),
        ("http://localhost:8000", True, LOOPBACK),
        ("http://192.168.1.5:8000", False, PRIVATE),
        ("https://10.0.0.2", True, PRIVATE),
        ("http://xunjian.example.cn", True, "not_https"),
        ("http://xunjian.example.cn", False, None),
        ("https://xunjian.example.cn", True, None),
        ("HTTPS://xunjian.example.cn", True, None),
    ],
)
def test_label_address_problem_names_the_most_serious(url, production, problem):
    assert label_address_problem(url, production=production) == problem
