"""Driving the citizen pages in Debian's Chromium through Playwright: what a citizen does (type,
tap, reload) and what the tests read back (messages, the form panel, the server's records)."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage, Page

from tests.conftest import ROOT

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
KIOSK = {"width": 1080, "height": 1920}


@dataclass
class Watched:
    """A page with every console error, uncaught exception and alert dialog it produced."""

    page: Page
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def close(self) -> None:
        self.page.context.close()


def open_page(browser: Browser, url: str, viewport: dict[str, int], *, phone: bool = False) -> Watched:
    context = browser.new_context(
        viewport=viewport, locale="zh-CN", has_touch=phone, is_mobile=phone, permissions=["microphone"]
    )
    page = context.new_page()
    watched = Watched(page)

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            watched.errors.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: watched.errors.append(f"uncaught: {exc}"))
    page.on("dialog", lambda d: (watched.dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", timeout=20_000)
    return watched


def bot_messages(page: Page) -> list[str]:
    return page.locator("#messages li.from-bot .bubble").all_inner_texts()


def say(page: Page, text: str) -> str:
    """Type a message and press Enter, as a citizen does; return the bot's new replies."""
    before = len(bot_messages(page))
    page.fill("#message-input", text)
    page.press("#message-input", "Enter")
    return _replies_after(page, before)


def tap(page: Page, title: str) -> str:
    """Tap the quick reply with this title (older messages' replies are disabled); return the bot's new replies."""
    before = len(bot_messages(page))
    page.locator("button.quick:enabled:visible").filter(has_text=re.compile(f"^{re.escape(title)}$")).first.click()
    return _replies_after(page, before)


def _replies_after(page: Page, before: int) -> str:
    page.wait_for_function(
        "n => document.querySelectorAll('#messages li.from-bot').length > n && !document.body.dataset.busy",
        arg=before,
        timeout=60_000,
    )  # the reply is shown and the form panel refreshed
    return "\n".join(bot_messages(page)[before:])


def last_buttons(page: Page) -> list[str]:
    return page.locator("#messages li").last.locator("button.quick:enabled").all_inner_texts()


def panel_text(page: Page) -> str:
    return page.inner_text("#case-panel")


def shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=False)
    return path


def latest_conversation(db_path: str) -> dict:
    """The newest chat session the API issued (the browser never sees its conversation id)."""
    with sqlite3.connect(db_path) as conn:
        conn.row_factory = sqlite3.Row
        return dict(conn.execute("SELECT * FROM chat_session ORDER BY id DESC LIMIT 1").fetchone())


def stored_application(db_path: str, number: str) -> dict:
    with sqlite3.connect(db_path) as conn:
        conn.row_factory = sqlite3.Row
        return dict(conn.execute("SELECT * FROM application WHERE number = ?", (number,)).fetchone())
