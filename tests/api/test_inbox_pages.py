"""The trainer inbox pages in Debian's Chromium: a trainer signs in and lands in the inbox, opens a
group, marks an entity by selecting text (plain JS under the page's CSP), picks an intent, and
downloads the export; axe-core finds no serious violation and the browser logs no error."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing

import httpx
import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, sync_playwright

from serversecret import internal_token
from tests.bot.browser import CHROMIUM, shot
from tests.conftest import ApiProcess, staff_client

PASSWORD = "训练-Passw0rd-2026"
SELECT = """(el, text) => {
  const node = el.firstChild, start = node.textContent.indexOf(text);
  const range = document.createRange();
  range.setStart(node, start);
  range.setEnd(node, start + text.length);
  const sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
}"""


@pytest.fixture(scope="module")
def inbox_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiProcess]:
    api = ApiProcess(tmp_path_factory.mktemp("inbox"))
    api.start()
    api.create_admin("admin", PASSWORD)
    with closing(staff_client(api["url"], "admin", PASSWORD)) as admin:
        body = {"username": "zhao.trainer", "display_name": "赵训练", "role": "trainer", "password": PASSWORD}
        assert admin.post("/api/staff/users", json=body).status_code == 201
    headers = {"X-Internal-Token": internal_token()}
    ranking = [{"name": "ask_howto", "confidence": 0.52}, {"name": "inform", "confidence": 0.3}]
    for i, text in enumerate(["我叫张伟，想问营业执照咋弄", "我叫李娜，想问营业执照咋弄呢", "你们能订机票吗"]):
        miss = {"text": text, "sender_hash": f"{i:02d}" * 16, "kind": "low_confidence", "ranking": ranking}
        assert httpx.post(f"{api['url']}/api/nlu/misses", json=miss, headers=headers).status_code == 201
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


def _serious(page) -> list[str]:
    return [v["id"] for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]


def test_trainer_labels_a_group_with_an_entity_and_downloads_the_export(inbox_api: ApiProcess, browser) -> None:
    url = inbox_api["url"]
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}/staff")
    page.fill("#username", "zhao.trainer")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert page.url.endswith("/staff/inbox")  # a trainer's home
    table = page.inner_text("table.inbox")
    assert "我叫张*，想问营业执照咋弄" in table and "张伟" not in table and "李娜" not in table
    row = page.locator("table.inbox tbody tr", has_text="营业执照")
    assert row.locator("td").nth(1).inner_text() == "2"  # two citizens, one group
    assert not _serious(page)
    shot(page, "trainer-inbox")

    row.get_by_role("link").click()
    assert "ask_howto（0.52）" in page.inner_text("#intent")  # the suggestion, preselected
    page.locator("#inbox-text").evaluate(SELECT, "执照")
    page.select_option("#entity-name", "field")
    page.get_by_role("button", name="标注所选文字").click()
    assert page.inner_text("#span-list").startswith("执照 → field")
    assert page.inner_text("#inbox-text mark") == "执照"
    assert not _serious(page)
    shot(page, "trainer-inbox-group")
    page.select_option("#intent", "ask_howto")
    page.get_by_role("button", name="保存意图标注").click()
    page.wait_for_load_state()
    main = page.inner_text("main")
    assert "已保存" in main and "已标注" in main and "执照 → field" in main

    page.goto(f"{url}/staff/inbox?state=new")
    page.get_by_role("link", name="你们能订机票吗").click()
    page.get_by_role("button", name="标为超出服务范围").click()
    page.wait_for_load_state()
    assert "超出范围" in page.inner_text("main")

    page.goto(f"{url}/staff/inbox?state=labelled")
    with page.expect_download() as download:
        page.get_by_role("button", name="导出已标注的例句（data/nlu/inbox.yml）").click()
    data = yaml.safe_load(download.value.path().read_text(encoding="utf-8"))
    by_intent = {e["intent"]: e["examples"] for e in data["nlu"]}
    assert by_intent == {"ask_howto": "- 我叫张*，想问营业[执照](field)咋弄\n", "out_of_scope": "- 你们能订机票吗\n"}
    page.goto(f"{url}/staff/inbox?state=exported")
    assert page.locator("table.inbox tbody tr").count() == 2
    page.get_by_role("link", name="全部").click()
    page.wait_for_load_state()
    assert page.locator("table.inbox tbody tr").count() == 2 and "state=" in page.url
    assert not errors, errors
    context.close()
