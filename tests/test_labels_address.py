"""The address labels carry (issue 18.7): the PUBLIC_BASE_URL setting, else the request's host,
the same for every label; the command line needs the setting or --base-url; the office sees a
warning when phones may not reach the address, and production refuses to print a loopback one."""

import io

import pypdfium2
import pytest
import zxingcpp
from PIL import Image

from tests.conftest import make_app
from tests.test_patrols import Patrol

PUBLIC = "https://xunjian.example.cn"


@pytest.fixture
def patrol(app, world):
    return Patrol(app, world)


def decode(image: Image.Image) -> list[str]:
    found = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    return sorted(barcode.text for barcode in found)


def code(world, patrol, base_url=None):
    return world.client.get(
        f"/api/checkpoints/{patrol.checkpoints[0]['id']}/code",
        headers=world.headers("supervisor"),
        base_url=base_url,
    )


def label_settings(world, role="supervisor", base_url=None):
    r = world.client.get("/api/settings/labels", headers=world.headers(role), base_url=base_url)
    assert r.status_code == 200, r.json
    return r.json


def test_labels_carry_the_configured_address(app, world, patrol):
    app.config["PUBLIC_BASE_URL"] = PUBLIC + "/"
    r = code(world, patrol, base_url="http://10.0.0.7:8000")
    assert r.status_code == 200
    assert r.json["url"] == f"{PUBLIC}/s/{r.json['token']}"
    with world.client.get(
        f"/api/checkpoints/{patrol.checkpoints[0]['id']}/label.png",
        headers=world.headers("supervisor"),
    ) as png:
        assert decode(Image.open(io.BytesIO(png.data))) == [r.json["url"]]


def test_without_the_setting_labels_carry_the_requests_host(app, world, patrol):
    r = code(world, patrol, base_url="http://192.168.1.20:8000")
    assert r.json["url"].startswith("http://192.168.1.20:8000/s/")


def test_the_setting_is_read_from_the_environment(tmp_path, monkeypatch):
    assert make_app(tmp_path / "unset").config["PUBLIC_BASE_URL"] is None
    monkeypatch.setenv("XUNJIAN_PUBLIC_BASE_URL", PUBLIC)
    assert make_app(tmp_path / "set").config["PUBLIC_BASE_URL"] == PUBLIC


def test_settings_say_what_labels_carry(app, world):
    shown = label_settings(world, base_url="https://patrol.example.cn")
    assert shown == {
        "public_base_url": "https://patrol.example.cn",
        "configured": False,
        "problem": None,
        "warning": None,
        "warning_en": None,
        "printing_allowed": True,
    }
    app.config["PUBLIC_BASE_URL"] = PUBLIC
    shown = label_settings(world, role="admin", base_url="http://127.0.0.1:8000")
    assert shown["public_base_url"] == PUBLIC and shown["configured"] is True
    assert shown["warning"] is None


@pytest.mark.parametrize(
    "address,problem",
    [
        ("http://127.0.0.1:8000", "loopback"),
        ("http://localhost:8000", "loopback"),
        ("http://[::1]:8000", "loopback"),
        ("http://192.168.1.20:8000", "private"),
        ("http://10.8.0.3", "private"),
    ],
)
def test_settings_warn_of_addresses_phones_may_not_reach(app, world, address, problem):
    app.config["PUBLIC_BASE_URL"] = address
    shown = label_settings(world)
    assert shown["problem"] == problem
    assert address in shown["warning"] and address in shown["warning_en"]
    assert "XUNJIAN_PUBLIC_BASE_URL" in shown["warning"]
    assert any("\u4e00" <= c <= "\u9fff" for c in shown["warning"])
    assert shown["printing_allowed"] is True  # only production refuses


def test_in_production_plain_http_is_warned_of(app, world):
    app.config.update(ENV_NAME="production", PUBLIC_BASE_URL="http://xunjian.example.cn")
    shown = label_settings(world)
    assert shown["problem"] == "not_https" and "https" in shown["warning"]
    app.config["ENV_NAME"] = "development"
    assert label_settings(world)["problem"] is None


def test_production_refuses_to_print_a_loopback_address(app, world, patrol):
    app.config["ENV_NAME"] = "production"
    checkpoint = patrol.checkpoints[0]["id"]
    urls = [
        f"/api/checkpoints/{checkpoint}/code",
        f"/api/checkpoints/{checkpoint}/label.png",
        f"/api/checkpoints/sheet.pdf?site_id={world.site_a.id}",
    ]
    for url in urls:
        r = world.client.get(url, headers=world.headers("admin"), base_url="http://127.0.0.1:8000")
        assert r.status_code == 409, (url, r.status_code)
        assert r.json["error"] == "label_address_unreachable"
        assert "XUNJIAN_PUBLIC_BASE_URL" in r.json["message"]
    shown = label_settings(world, base_url="http://localhost:8000")
    assert shown["problem"] == "loopback" and shown["printing_allowed"] is False
    # A reachable address prints, configured or not.
    r = world.client.get(urls[0], headers=world.headers("admin"), base_url=PUBLIC)
    assert r.status_code == 200 and r.json["url"].startswith(PUBLIC + "/s/")
    app.config["PUBLIC_BASE_URL"] = PUBLIC
    for url in urls:
        r = world.client.get(url, headers=world.headers("admin"), base_url="http://127.0.0.1:8000")
        assert r.status_code == 200, (url, r.status_code)


def test_outside_production_a_loopback_address_still_prints(app, world, patrol):
    r = code(world, patrol, base_url="http://127.0.0.1:8000")
    assert r.status_code == 200 and r.json["url"].startswith("http://127.0.0.1:8000/s/")


def sheet_urls(path) -> list[str]:
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return decode(pdf[0].render(scale=2).to_pil())
    finally:
        pdf.close()


def test_the_command_needs_an_address(app, runner, world, patrol, tmp_path):
    out = tmp_path / "labels.pdf"
    r = runner.invoke(args=["patrols", "sheet", "SA", "--out", str(out)])
    assert r.exit_code != 0 and not out.exists()
    assert "XUNJIAN_PUBLIC_BASE_URL" in r.output and "--base-url" in r.output

    r = runner.invoke(
        args=["patrols", "sheet", "SA", "--out", str(out), "--base-url", "https://a.example.cn/"]
    )
    assert r.exit_code == 0, r.output
    urls = sheet_urls(out)
    assert len(urls) == 3 and all(u.startswith("https://a.example.cn/s/c") for u in urls)

    app.config["PUBLIC_BASE_URL"] = PUBLIC
    r = runner.invoke(args=["patrols", "sheet", "SA", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert all(u.startswith(PUBLIC + "/s/c") for u in sheet_urls(out))


def test_the_command_refuses_a_loopback_address_in_production(app, runner, world, patrol, tmp_path):
    app.config["ENV_NAME"] = "production"
    out = tmp_path / "labels.pdf"
    r = runner.invoke(
        args=["patrols", "sheet", "SA", "--out", str(out), "--base-url", "http://127.0.0.1:8000"]
    )
    assert r.exit_code != 0 and not out.exists()
    assert "XUNJIAN_PUBLIC_BASE_URL" in r.output


def test_only_admins_and_supervisors_see_the_label_settings(world):
    for role in ("hr", "manager", "guard", "staff"):
        r = world.client.get("/api/settings/labels", headers=world.headers(role))
        assert r.status_code == 403


def test_greeting_post_labels_follow_the_same_rule(app, world):
    url = f"/api/greeting/posts/{world.post_a.id}/code"
    headers = world.headers("supervisor")
    r = world.client.get(url, headers=headers, base_url="http://192.168.1.20:8000")
    assert r.status_code == 200 and r.json["url"].startswith("http://192.168.1.20:8000/s/p")
    app.config["ENV_NAME"] = "production"
    r = world.client.get(url, headers=headers, base_url="http://127.0.0.1:8000")
    assert r.status_code == 409 and "XUNJIAN_PUBLIC_BASE_URL" in r.json["message"]
    app.config["PUBLIC_BASE_URL"] = PUBLIC
    r = world.client.get(url, headers=headers, base_url="http://127.0.0.1:8000")
    assert r.status_code == 200 and r.json["url"] == f"{PUBLIC}/s/{r.json['token']}"
