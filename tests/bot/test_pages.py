"""The citizen pages in a real browser (Debian's Chromium, headless, through Playwright) over the
whole stack: the API serving the pages and the chat endpoint, the action server and Rasa.

The pages are served by a second API process on the same database and the same Rasa as the bot
tests' API, configured as an operator would: short kiosk timings so the idle reset can be watched,
and a plugged-in recogniser that hears a fixture transcript."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import httpx
import pytest
import zxingcpp
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import Browser, sync_playwright

from tests.bot.browser import (
    CHROMIUM,
    KIOSK,
    PHONE,
    last_buttons,
    latest_conversation,
    open_page,
    panel_text,
    say,
    shot,
    stored_application,
    tap,
)
from tests.bot.conftest import BotStack, RasaEndpoint
from tests.bot.test_conversations import NEWBORN_FORM, RESTAURANT_FORM
from tests.conftest import ApiProcess

SPOKEN_PHONE = "幺三九 一二三四 五六七八"
IDLE_SECONDS = 3
COUNTDOWN_SECONDS = 3


@pytest.fixture(scope="module")
def pages(
    api_server: ApiProcess, rasa_endpoint: RasaEndpoint, bot: BotStack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiProcess]:
    asr_dir = tmp_path_factory.mktemp("asr")
    (asr_dir / "transcript.txt").write_text(SPOKEN_PHONE, encoding="utf-8")
    api = ApiProcess(
        tmp_path_factory.mktemp("pages"),
        {
            "DATABASE_URL": api_server["database_url"],  # the actions submit through the bot tests' API
            "RASA_URL": rasa_endpoint["url"],
            "RASA_AUTH_TOKEN": rasa_endpoint["token"],
            "KIOSK_IDLE_SECONDS": str(IDLE_SECONDS),
            "KIOSK_COUNTDOWN_SECONDS": str(COUNTDOWN_SECONDS),
            "ASR_RECOGNISER": "tests.bot.fixture_recogniser:FixtureRecogniser",
            "ASR_MODEL_DIR": str(asr_dir),
            "LIMIT_CHAT_PER_SESSION": "300/minute",  # a test types faster than a citizen
        },
    )
    api["db_path"] = api_server["db_path"]
    api.start()
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"],
        )
        try:
            yield b
        finally:
            b.close()


def _slots(bot: BotStack, api: ApiProcess) -> dict:
    return bot.tracker(latest_conversation(api["db_path"])["conversation_id"])


def _fill_by_typing(page, bot: BotStack, api: ApiProcess, values: dict[str, str]) -> list[str]:
    asked = []
    for _ in range(40):
        tracker = _slots(bot, api)
        slot = tracker["slots"].get("requested_slot")
        if (tracker.get("active_loop") or {}).get("name") != "application_form" or not slot:
            return asked
        asked.append(slot)
        say(page, values[slot])
    raise AssertionError(f"form did not finish; asked {asked}")


def test_open_restaurant_typed_on_a_phone_with_the_form_beside_and_a_receipt(
    pages: ApiProcess, bot: BotStack, browser: Browser
) -> None:
    w = open_page(browser, f"{pages['url']}/", PHONE, phone=True)
    page = w.page
    shot(page, "chat-phone-welcome")
    reply = say(page, "我想在滨海开个小饭馆")
    assert "营业执照已经办好了吗" in reply
    assert "开办餐饮店" in panel_text(page)
    for answer in ("执照还没办", "一百二十平左右", "不卖烟", "要挂个招牌", "不是，临街的店"):
        say(page, answer)
    panel = panel_text(page)
    assert "营业执照（设立登记）" in panel and "食品经营许可" in panel and "第2步" in panel
    assert "四减" in panel and "需要您准备的材料" in panel
    say(page, "好的，开始填吧")
    values = {**RESTAURANT_FORM, "applicant_name": "王芳", "id_number": "120109199003151228", "phone": "13912345678"}
    _fill_by_typing(page, bot, pages, values)

    panel = panel_text(page)
    assert "139****5678" in panel and "120***********1228" in panel and "王*" in panel
    assert "13912345678" not in panel and "120109199003151228" not in panel
    assert "根据公民身份号码自动得出" in panel or "自动得出" in panel  # birth date and gender: derived
    shot(page, "chat-phone-form")
    page.locator(".case").screenshot(path=shot(page, "chat-phone-panel"))

    # Tapping a filled field starts its correction in the conversation.
    before = len(page.locator("#messages li.from-bot").all())
    page.get_by_role("button", name="修改手机号码").click()
    page.wait_for_function(
        "n => document.querySelectorAll('#messages li.from-bot').length > n && !document.body.dataset.busy", arg=before
    )
    assert "重新填写“手机号码”" in page.inner_text("#messages")
    say(page, "13812345670")
    assert "138****5670" in panel_text(page)

    done = say(page, "确认提交")
    number = _slots(bot, pages)["slots"]["application_number"]
    assert number and number in done
    row = stored_application(pages["db_path"], number)
    form = json.loads(row["form_data"])
    assert form["phone"] == "13812345670" and form["id_number"] == "120109199003151228"
    assert form["company_name"] == RESTAURANT_FORM["company_name"]
    channel = page.evaluate("matchMedia('(pointer: coarse)').matches ? 'mobile' : 'web'")
    assert row["channel"] == channel

    page.get_by_role("button", name="查看并打印回执").click()
    page.wait_for_selector("#receipt:not([hidden]) img")
    receipt = page.inner_text("#receipt")
    assert number in receipt and "食品经营许可" in receipt and "接下来" in receipt
    qr_png = page.locator("#receipt img").screenshot()
    (decoded,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png)))
    assert decoded.text == f"{pages['url']}/status?number={number}"
    page.emulate_media(media="print")
    assert not page.is_visible("#messages") and page.is_visible("#receipt")
    shot(page, "receipt-print")
    page.emulate_media(media="screen")
    assert not w.errors and not w.dialogs
    w.close()


def test_newborn_by_tapping_buttons_survives_a_reload(
    pages: ApiProcess, bot: BotStack, browser: Browser, catalog
) -> None:
    w = open_page(browser, f"{pages['url']}/", PHONE, phone=True)
    page = w.page
    reply = tap(page, catalog.scenarios["newborn"].name)
    assert "新生儿" in reply
    taps = 0
    for _ in range(8):  # the guiding questions: a yes/no button wherever there is one
        tracker = _slots(bot, pages)
        if (tracker.get("active_loop") or {}).get("name") != "guide_form":
            break
        buttons = last_buttons(page)
        assert buttons, "a guiding question without buttons"
        tap(page, "是" if "是" in buttons else buttons[0])
        taps += 1
    assert taps >= 3
    start = [b for b in last_buttons(page) if "填" in b or "开始" in b]
    assert start, last_buttons(page)
    tap(page, start[0])
    say(page, NEWBORN_FORM["applicant_name"])
    say(page, NEWBORN_FORM["id_number"])

    before_messages = page.locator("#messages li").count()
    before_panel = panel_text(page)
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("#messages li").count() == before_messages
    assert panel_text(page) == before_panel
    assert "李*" in before_panel and "120***********001X" in before_panel

    _fill_by_typing(page, bot, pages, NEWBORN_FORM)
    buttons = last_buttons(page)
    confirm = [b for b in buttons if "提交" in b or "确认" in b]
    assert confirm, buttons
    done = tap(page, confirm[0])
    number = _slots(bot, pages)["slots"]["application_number"]
    assert number and number in done
    form = json.loads(stored_application(pages["db_path"], number)["form_data"])
    assert form["newborn_name"] == "李小米" and form["newborn_gender"] == "female"
    assert not w.errors and not w.dialogs
    w.close()


def test_keyboard_alone_can_start_a_scenario_and_send(pages: ApiProcess, browser: Browser) -> None:
    w = open_page(browser, f"{pages['url']}/", PHONE)
    page = w.page
    assert page.get_attribute(".log", "aria-live") == "polite" and page.get_attribute(".log", "role") == "log"
    for _ in range(30):  # Tab to the first scenario button, then Enter
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('quick')"):
            break
    title = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#messages li.from-bot').length > 0")
    assert page.locator("#messages li.from-user .bubble").first.inner_text() == title
    page.focus("#message-input")
    page.keyboard.type("不清楚")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelectorAll('#messages li.from-user').length === 2")
    unlabelled = page.evaluate(
        "() => [...document.querySelectorAll('button, input, textarea')].filter(e => e.offsetParent"
        " && !(e.labels?.length || e.getAttribute('aria-label') || e.textContent.trim())).length"
    )
    assert unlabelled == 0
    assert not w.errors
    w.close()


def test_markup_typed_or_echoed_stays_text(pages: ApiProcess, browser: Browser) -> None:
    w = open_page(browser, f"{pages['url']}/", PHONE)
    page = w.page
    hostile = "<img src=x onerror=alert(1)>"
    say(page, hostile)
    assert page.locator("#messages img").count() == 0
    assert hostile in page.inner_text("#messages")
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator("#messages img").count() == 0
    assert not w.dialogs and not w.errors
    w.close()


def test_kiosk_large_type_keypad_speech_and_idle_reset(pages: ApiProcess, browser: Browser) -> None:
    w = open_page(browser, f"{pages['url']}/kiosk", KIOSK)
    page = w.page
    say(page, "我想办退休手续")
    size, line = page.evaluate(
        "() => { const s = getComputedStyle(document.querySelector('#messages .bubble'));"
        " return [parseFloat(s.fontSize), parseFloat(s.lineHeight) / parseFloat(s.fontSize)]; }"
    )
    assert size >= 18 and line >= 1.3
    small = page.evaluate(
        "() => [...document.querySelectorAll('button')].filter(b => b.offsetParent)"
        ".map(b => b.getBoundingClientRect()).filter(r => r.height < 60 || r.width < 60).length"
    )
    assert small == 0
    page.get_by_role("button", name="大字").click()
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('#messages .bubble')).fontSize)") > size
    shot(page, "kiosk")

    page.get_by_role("button", name="数字键盘").click()
    for key in "120109":
        page.locator("#keypad").get_by_role("button", name=key, exact=True).click()
    page.get_by_role("button", name="删除一位").click()
    assert page.input_value("#message-input") == "12010"
    page.fill("#message-input", "")

    # Voice input: Chromium's fake microphone, the configured recogniser, spoken digits made digits.
    mic = page.get_by_role("button", name="说话")
    mic.click()
    page.wait_for_timeout(800)
    with page.expect_response("**/api/chat/speech/recognise") as heard:
        page.get_by_role("button", name="说完了").click()
    assert heard.value.status == 200
    page.wait_for_function("() => document.getElementById('message-input').value !== ''")
    assert page.input_value("#message-input").replace(" ", "") == "13912345678"
    page.fill("#message-input", "")

    # Read aloud: the browser has no Chinese voice here, so the server's espeak-ng speaks.
    read = page.get_by_role("button", name="朗读")
    read.click()
    with page.expect_response("**/api/chat/speech/tts") as spoken:
        say(page, "需要带什么材料")
    assert spoken.value.status == 200 and spoken.value.headers["content-type"] == "audio/wav"

    # Idle: the countdown appears, one tap stays; left alone, everything is cleared.
    conversation = latest_conversation(pages["db_path"])
    page.wait_for_selector("#idle:not([hidden])", timeout=(IDLE_SECONDS + 3) * 1000)
    shot(page, "kiosk-idle")
    page.get_by_role("button", name="继续办理").click()
    assert page.is_hidden("#idle")
    assert page.locator("#messages li").count() > 0
    page.evaluate("sessionStorage.setItem('zw-draft', '未发送的草稿'); localStorage.setItem('probe', '1')")
    page.wait_for_selector("#idle:not([hidden])", timeout=(IDLE_SECONDS + 3) * 1000)
    page.wait_for_function(
        "() => document.querySelectorAll('#messages li').length === 0 && document.body.dataset.ready === 'true'",
        timeout=(COUNTDOWN_SECONDS + 10) * 1000,
    )
    assert page.evaluate("sessionStorage.length + localStorage.length") == 0
    assert page.input_value("#message-input") == ""
    ended = latest_conversation(pages["db_path"])
    assert ended["id"] == conversation["id"] and ended["ended_at"] is not None
    state = page.evaluate("fetch('/api/chat/state').then(r => r.json())")
    assert state == {"live": False, "messages": [], "case": None}
    assert not w.errors and not w.dialogs
    w.close()


def test_status_page_finds_an_application_by_number_and_phone(
    pages: ApiProcess, bot: BotStack, browser: Browser
) -> None:
    from tests.bot.test_conversations import RETIREMENT_FORM, fill_form

    sender = "pages-status"
    bot.say(sender, "我要办退休")
    for _ in range(6):
        if (bot.tracker(sender).get("active_loop") or {}).get("name") != "guide_form":
            break
        bot.say(sender, "不清楚")
    bot.say(sender, "/affirm")
    identity = {"applicant_name": "张伟", "id_number": "120101196703070010", "phone": "13612340000"}
    fill_form(bot, sender, {**RETIREMENT_FORM, **identity})
    bot.say(sender, "确认提交")
    number = bot.slots(sender)["application_number"]
    assert number

    for viewport, name in ((PHONE, "status-phone"), (KIOSK, "status-kiosk")):
        w = open_page(browser, f"{pages['url']}/status?number={number}", viewport)
        page = w.page
        assert page.input_value("#number") == number
        page.fill("#phone", "136 1234 0000")
        page.get_by_role("button", name="查询").click()
        page.wait_for_selector("#status-result:not([hidden])")
        result = page.inner_text("#status-result")
        assert number in result and "退休" in result and "待办理" in result
        shot(page, name)
        assert not w.errors
        w.close()

    w = open_page(browser, f"{pages['url']}/status", PHONE)
    page = w.page
    page.fill("#number", number)
    page.fill("#phone", "13600000000")
    page.get_by_role("button", name="查询").click()
    page.wait_for_selector("#status-error:not([hidden])")
    assert "没有查到" in page.inner_text("#status-error")
    # the only console line is the browser's own note of the 404 it was given
    assert all("404" in e for e in w.errors), w.errors
    w.close()


@pytest.mark.parametrize("path", ["/", "/kiosk", "/status"])
@pytest.mark.parametrize("size", ["phone", "kiosk"])
def test_no_serious_accessibility_violations(pages: ApiProcess, browser: Browser, path: str, size: str) -> None:
    w = open_page(browser, f"{pages['url']}{path}", PHONE if size == "phone" else KIOSK)
    shot(w.page, f"{path.strip('/') or 'chat'}-{size}-empty")
    results = Axe().run(w.page)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, serious
    assert not w.errors
    w.close()


def test_pages_load_nothing_from_elsewhere_and_forbid_framing(pages: ApiProcess) -> None:
    for path in ("/", "/kiosk", "/status"):
        resp = httpx.get(f"{pages['url']}{path}")
        assert resp.status_code == 200
        csp = resp.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "http://" not in resp.text.replace(pages["url"], "") and "https://" not in resp.text
