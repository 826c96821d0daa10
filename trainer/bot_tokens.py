"""Token spans of texts as the bot's tokenizer cuts them (bot environment: jieba lives there).

    .venv-bot/bin/python -m trainer.bot_tokens DICT_DIR < texts.json > spans.json

Reads a JSON list of texts, writes a JSON list of [[start, end], …] per text. The dictionary is
loaded as Rasa's JiebaTokenizer loads `dictionary_path` (every file in the folder) and texts are
cut with `jieba.tokenize`, as it does; annotated examples are not normalised (bot.nlu_components
TextNormalizer leaves them as written), so the texts are cut as given.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path


def spans(texts: list[str], dictionary: Path) -> list[list[tuple[int, int]]]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    for path in sorted(dictionary.glob("*")):
        if path.is_file():
            jieba.load_userdict(str(path))
    return [[(start, end) for _, start, end in jieba.tokenize(text)] for text in texts]


def main() -> int:
    texts = json.load(sys.stdin)
    json.dump(spans(texts, Path(sys.argv[1])), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
