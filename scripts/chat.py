"""Talk to the running assistant from a terminal through the public chat endpoint (`make chat`).

It goes the way a browser goes: `POST /api/chat` on the API, with the session cookie the server
issues (the conversation id is the server's, never chosen here). Buttons are numbered: type the
number to press one. Ctrl-D or '/quit' ends the session; '/new' ends it and starts a new one.
"""

from __future__ import annotations

import argparse
import os
import sys

import httpx


def main() -> int:
    parser = argparse.ArgumentParser(description="政务服务机器人 终端对话")
    parser.add_argument("--url", default=f"http://127.0.0.1:{os.environ.get('API_PORT', '8000')}")
    args = parser.parse_args()
    buttons: list[dict[str, str]] = []
    with httpx.Client(base_url=args.url, timeout=90) as client:
        sys.stdout.write(f"已连接 {args.url}。输入 /quit 退出，/new 重新开始。\n")
        send(client, "你好", buttons)
        while True:
            try:
                line = input("您> ").strip()
            except EOFError:
                line = "/quit"
            if line in ("/quit", "/new"):
                client.delete("/api/chat/session")
                if line == "/quit":
                    return 0
                client.cookies.clear()
                sys.stdout.write("（已结束上一个会话，重新开始）\n")
                continue
            if line.isdigit() and 0 < int(line) <= len(buttons):
                line = buttons[int(line) - 1]["payload"]
            if line:
                send(client, line, buttons)


def send(client: httpx.Client, message: str, buttons: list[dict[str, str]]) -> None:
    try:
        resp = client.post("/api/chat", json={"message": message, "channel": "web"})
        body = resp.json()
    except (httpx.HTTPError, ValueError) as exc:
        sys.stdout.write(f"（无法连接：{type(exc).__name__}。请先运行 make run）\n")
        return
    if resp.status_code != 200:
        sys.stdout.write(f"（{body.get('message', resp.status_code)}）\n")
        return
    if body["session"]["expired"]:
        sys.stdout.write("（上一个会话因长时间未操作已结束，已为您开始新的会话）\n")
    buttons.clear()
    for reply in body["messages"]:
        if reply.get("text"):
            sys.stdout.write(f"机器人> {reply['text']}\n")
        for button in reply.get("buttons", []):
            buttons.append(button)
            sys.stdout.write(f"   [{len(buttons)}] {button['title']}\n")


if __name__ == "__main__":
    raise SystemExit(main())
