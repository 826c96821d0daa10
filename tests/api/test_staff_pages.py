"""The staff workspace pages in Debian's Chromium: an administrator made by the command creates a
reviewer in the workspace; the reviewer signs in, filters the queue, opens an application, reveals
one field (audited) and accepts and approves an item; axe-core finds no serious violation."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, sync_playwright

from tests.api.test_api import ANSWERS, FORM
from tests.bot.browser import CHROMIUM, shot
from tests.conftest import ApiProcess

PASSWORD = "审核-Passw0rd-2026"
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def staff_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiProcess]:
    api = ApiProcess(tmp_path_factory.mktemp("staff"))
    api.start()
    api.create_admin("admin", PASSWORD, "管理员")
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM)
        try:
            yield b
        finally:
            b.close()


def _login(page, url: str, username: str) -> None:
    page.goto(f"{url}/staff")
    assert "/staff/login" in page.url
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_reviewer_works_an_application_in_the_browser(staff_api: ApiProcess, browser: Browser) -> None:
    url = staff_api["url"]
    body = {"scenario_id": "open_restaurant", "answers": ANSWERS, "form_data": FORM, "channel": "kiosk"}
    submitted = httpx.post(f"{url}/api/applications", json=body, headers={"Idempotency-Key": "staff-pages-1"})
    number = submitted.json()["number"]

    errors: list[str] = []
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(page, url, "admin")
    page.goto(f"{url}/staff/users")
    page.fill("#new-username", "li.reviewer")
    page.fill("#new-name", "李审核")
    page.select_option("#new-role", "reviewer")
    page.get_by_label("滨海新区行政审批局").check()
    page.fill("#new-password", PASSWORD)
    page.get_by_role("button", name="创建").click()
    assert "已创建账号 li.reviewer" in page.inner_text("main")
    shot(page, "staff-users")
    page.get_by_role("button", name="退出登录").click()
    context.clear_cookies()

    _login(page, url, "li.reviewer")
    assert page.url.rstrip("/").endswith("/staff")
    table = page.inner_text("table.queue")
    assert number in table and "王*" in table and "王芳" not in table
    page.fill("input[name=number]", number)
    page.get_by_role("button", name="筛选").click()
    assert page.locator("table.queue tbody tr").count() == 1
    shot(page, "staff-queue")
    page.get_by_role("link", name=number).click()
    assert "136****5678" in page.inner_text("main")
    page.get_by_role("button", name="显示手机号码").click()
    assert "13612345678" in page.inner_text("main")
    assert "reveal" in page.inner_text("section[aria-labelledby=audit-title]")

    license_item = page.get_by_role("article", name="营业执照（设立登记）")
    license_item.get_by_role("button", name="受理", exact=True).click()
    license_item = page.get_by_role("article", name="营业执照（设立登记）")
    assert "审核中" in license_item.inner_text()
    license_item.get_by_role("button", name="办结", exact=True).click()
    assert "已办结" in page.get_by_role("article", name="营业执照（设立登记）").inner_text()
    reject = page.get_by_role("article", name="食品经营许可（餐饮服务）")
    reject.get_by_role("button", name="不予受理").click()  # no reason: refused with a message, nothing changed
    assert "请填写理由" in page.inner_text("[role=alert]")

    # 补正: the officer names a field and says why; the citizen corrects it on the status page.
    food = page.get_by_role("article", name="食品经营许可（餐饮服务）")
    food.get_by_label("理由或补正说明").fill("就餐座位数与场所面积不符，请核实后补正。")
    food.get_by_label("就餐座位数").check()
    food.get_by_role("button", name="补正", exact=True).click()
    assert "需补充材料" in page.get_by_role("article", name="食品经营许可（餐饮服务）").inner_text()
    shot(page, "staff-detail")

    citizen = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    citizen.goto(f"{url}/status?number={number}")
    citizen.fill("#phone", FORM["phone"])
    citizen.get_by_role("button", name="查询").click()
    citizen.wait_for_selector("form.correction")
    assert "就餐座位数与场所面积不符" in citizen.inner_text("#status-result")
    citizen.get_by_label("就餐座位数").fill("三十个")
    citizen.get_by_role("button", name="提交补正").click()
    citizen.wait_for_selector("#status-result .notice")
    assert "第2版" in citizen.inner_text("#status-result")
    shot(citizen, "status-corrected")
    citizen.context.close()
    page.reload()
    changes = page.inner_text("section.changes")
    assert "就餐座位数" in changes and "40" in changes and "30" in changes

    results = Axe().run(page)
    serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    page.goto(f"{url}/staff")
    assert not [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    # the filtered queue as CSV, downloaded by the browser: masked, this application's row in it
    page.fill("input[name=number]", number)
    page.get_by_role("button", name="筛选").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="导出当前筛选结果（CSV，个人信息已遮蔽）").click()
    exported = download.value.path().read_text(encoding="utf-8-sig")
    assert number in exported and "136****5678" in exported and "13612345678" not in exported
    assert len(exported.strip().splitlines()) == 2  # the header and this one application
    page.get_by_role("button", name="退出登录").click()
    context.clear_cookies()
    _login(page, url, "admin")
    page.goto(f"{url}/staff/analytics")
    assert "办理漏斗" in page.inner_text("main") and page.locator("svg.chart rect").count() == 7
    shot(page, "staff-analytics")
    assert not [e for e in errors if "409" not in e], errors  # the refused decision's own status line
    context.close()
