"""Talk to the running bot from a terminal over the REST channel (`make chat`).

Buttons are numbered: type the number to press one. Ctrl-D or '/quit' ends; the same --sender
continues the same conversation later.
"""

from __future__ import annotations

import argparse
import os
import sys

import httpx


def main() -> int:
    parser = argparse.ArgumentParser(description="政务服务机器人 终端对话")
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}")
    parser.add_argument("--sender", default=f"terminal-{os.environ.get('USER', 'user')}")
    args = parser.parse_args()
    buttons: list[dict[str, str]] = []
    sys.stdout.write(f"已连接 {args.url}（会话 {args.sender}）。输入 /quit 退出。\n")
    send("你好", args, buttons)
    while True:
        try:
            line = input("您> ").strip()
        except EOFError:
            return 0
        if line == "/quit":
            return 0
        if line.isdigit() and 0 < int(line) <= len(buttons):
            line = buttons[int(line) - 1]["payload"]
        if line:
            send(line, args, buttons)


def send(message: str, args: argparse.Namespace, buttons: list[dict[str, str]]) -> None:
    try:
        resp = httpx.post(
            f"{args.url}/webhooks/rest/webhook",
            json={"sender": args.sender, "message": message, "metadata": {"channel": "web"}},
            timeout=60,
        )
        replies = resp.json()
    except (httpx.HTTPError, ValueError) as exc:
        sys.stdout.write(f"（无法连接机器人：{exc}。请先运行 make run）\n")
        return
    buttons.clear()
    for reply in replies:
        if reply.get("text"):
            sys.stdout.write(f"机器人> {reply['text']}\n")
        for button in reply.get("buttons", []):
            buttons.append(button)
            sys.stdout.write(f"   [{len(buttons)}] {button['title']}\n")


if __name__ == "__main__":
    raise SystemExit(main())
