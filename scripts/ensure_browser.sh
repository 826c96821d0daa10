#!/usr/bin/env bash
# The page tests drive Debian's Chromium (never a downloaded browser); espeak-ng gives the kiosk's
# server-side reading aloud. Install them from Debian's packages when missing.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v espeak-ng >/dev/null || missing+=(espeak-ng)
# A Chinese font, so screenshots show characters rather than boxes (kiosks bring their own).
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "安装 / installing: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
elif command -v sudo >/dev/null; then
  sudo apt-get install -y -q "${missing[@]}" >/dev/null
else
  echo "请先安装 / please install: apt-get install ${missing[*]}" >&2
  exit 1
fi
