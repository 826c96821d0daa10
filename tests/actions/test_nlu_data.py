"""NLU data checks that need the bot environment (jieba, Rasa's reader)."""

from __future__ import annotations

import logging

from tests.conftest import ROOT


def test_every_annotated_entity_is_whole_jieba_tokens() -> None:
    """What Rasa warns about as 'Misaligned entity annotation': checked for every example, with the
    generated user dictionary loaded exactly as the JiebaTokenizer loads it."""
    import jieba
    from rasa.shared.nlu.training_data.loading import load_data

    jieba.setLogLevel(logging.WARNING)
    jieba.load_userdict(str(ROOT / "bot" / "jieba" / "userdict.txt"))
    misaligned = []
    for path in (ROOT / "data" / "nlu" / "intents.yml", ROOT / "tests" / "nlu" / "test_nlu.yml"):
        for example in load_data(str(path)).training_examples:
            text = example.get("text")
            tokens = list(jieba.tokenize(text))
            starts, ends = {s for _, s, _ in tokens}, {e for _, _, e in tokens}
            for ent in example.get("entities") or []:
                if ent["start"] not in starts or ent["end"] not in ends:
                    misaligned.append((path.name, text, text[ent["start"] : ent["end"]]))
    assert not misaligned, misaligned[:10]


def test_held_out_set_shares_no_message_with_training() -> None:
    from rasa.shared.nlu.training_data.loading import load_data

    train = {e.get("text") for e in load_data(str(ROOT / "data" / "nlu" / "intents.yml")).training_examples}
    test = load_data(str(ROOT / "tests" / "nlu" / "test_nlu.yml"))
    assert not train & {e.get("text") for e in test.training_examples}
    counts = {}
    for e in load_data(str(ROOT / "data" / "nlu" / "intents.yml")).training_examples:
        counts[e.get("intent")] = counts.get(e.get("intent"), 0) + 1
    assert min(counts.values()) >= 30, counts
