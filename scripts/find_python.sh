#!/usr/bin/env bash
# Print the path of a Python interpreter of the given minor version (e.g. 3.10), looking at
# pythonX.Y on PATH, then pyenv's installs, then `uv python find`. Exit 1 with advice if none.
set -euo pipefail
want="${1:?usage: find_python.sh 3.10}"
check() { [ -x "$1" ] && "$1" -c "import sys; sys.exit(0 if '%d.%d' % sys.version_info[:2] == '$want' else 1)" 2>/dev/null; }
if cand=$(command -v "python$want" 2>/dev/null) && check "$cand"; then echo "$cand"; exit 0; fi
if command -v pyenv >/dev/null 2>&1; then
  for cand in "$(pyenv root)"/versions/"$want".*/bin/python; do
    if check "$cand"; then echo "$cand"; exit 0; fi
  done
fi
for cand in "$HOME"/.pyenv/versions/"$want".*/bin/python; do
  if check "$cand"; then echo "$cand"; exit 0; fi
done
if command -v uv >/dev/null 2>&1 && cand=$(uv python find "$want" 2>/dev/null) && check "$cand"; then echo "$cand"; exit 0; fi
cat >&2 <<MSG
找不到 Python $want / Python $want not found.
  The bot (Rasa 3.6) needs Python 3.10 and the API needs Python 3.11. Install one, e.g.:
    pyenv install $want        (then run make again)
  or: uv python install $want
MSG
exit 1
