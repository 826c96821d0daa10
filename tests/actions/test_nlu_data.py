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
    for path in (*sorted((ROOT / "data" / "nlu").glob("*.yml")), ROOT / "tests" / "nlu" / "test_nlu.yml"):
        for example in load_data(str(path)).training_examples:
            text = example.get("text")
            tokens = list(jieba.tokenize(text))
            starts, ends = {s for _, s, _ in tokens}, {e for _, _, e in tokens}
            for ent in example.get("entities") or []:
                if ent["start"] not in starts or ent["end"] not in ends:
                    misaligned.append((path.name, text, text[ent["start"] : ent["end"]]))
    assert not misaligned, misaligned[:10]


def _training_texts() -> list[str]:
    from rasa.shared.nlu.training_data.loading import load_data

    return [e.get("text") for e in load_data(str(ROOT / "data" / "nlu")).training_examples if e.get("text")]


def _held_out_texts() -> list[str]:
    import yaml
    from rasa.shared.nlu.training_data.loading import load_data

    texts = [e.get("text") for e in load_data(str(ROOT / "tests" / "nlu" / "test_nlu.yml")).training_examples]
    citizen = ROOT / "tests" / "nlu" / "citizen"
    first = yaml.safe_load((citizen / "first_messages.yml").read_text(encoding="utf-8"))
    texts += [e["text"] for entries in first["scenarios"].values() for e in entries]
    texts += [e["text"] for e in first["out_of_scope"]]
    answers = yaml.safe_load((citizen / "form_answers.yml").read_text(encoding="utf-8"))["answers"]
    texts += [e["text"] for e in answers]
    return texts


def test_held_out_sets_share_no_message_with_training() -> None:
    """Both held-out sets (the project's own and the citizen set from public sources) stay apart
    from every training file, compared after normalisation (繁→简, full-width, punctuation, case)."""
    from textnorm import answer_words

    train = {answer_words(t) for t in _training_texts()}
    shared = sorted({t for t in _held_out_texts() if answer_words(t) in train and len(answer_words(t)) > 1})
    assert not shared, shared[:20]


def test_every_intent_has_enough_training_examples() -> None:
    from rasa.shared.nlu.training_data.loading import load_data

    counts: dict[str, int] = {}
    for e in load_data(str(ROOT / "data" / "nlu")).training_examples:
        if e.get("intent"):
            counts[e.get("intent")] = counts.get(e.get("intent"), 0) + 1
    assert min(counts.values()) >= 30, counts
