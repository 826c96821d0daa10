"""NLU training data read with line numbers: every example of every `intent:` entry of Rasa's YAML
format, its plain text, its annotated entities and the file line it is on.

PyYAML's composer keeps each node's position; an `examples: |` block starts on the line after its
`|`, and each `- ` line of the block is one example (Rasa's own reading, rasa_yaml.py)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# Rasa's annotation syntax (rasa/shared/nlu/training_data/entities_parser.py, ENTITY_REGEX):
# [text](entity), [text](entity:value), [text]{"entity": …, "value": …}, [text][{…}, {…}].
ENTITY_REGEX = re.compile(
    r"\[(?P<entity_text>[^\]]+?)\](\((?P<entity>[^:)]+?)(?:\:(?P<value>[^)]+))?\)"
    r"|\{(?P<entity_dict>[^}]+?)\}|\[(?P<list_entity_dicts>.*?)\])"
)
_SINGLE_DICT = re.compile(r"{(?P<entity_dict>[^}]+?)\}")


@dataclass(frozen=True)
class Entity:
    start: int  # in the plain text
    end: int
    entity: str
    value: str | None  # None: the annotated text itself (before synonym mapping)


@dataclass(frozen=True)
class Example:
    file: str  # relative to the project when possible
    line: int  # 1-based
    intent: str
    raw: str  # as written, with annotations
    text: str  # plain text, annotations removed
    entities: tuple[Entity, ...] = ()
    metadata: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Synonym:
    file: str
    line: int
    name: str
    words: tuple[str, ...]


def parse_annotated(raw: str) -> tuple[str, tuple[Entity, ...]]:
    """Plain text and entities of one annotated example, as Rasa reads it."""
    plain: list[str] = []
    entities: list[Entity] = []
    pos = 0
    length = 0
    for m in ENTITY_REGEX.finditer(raw):
        before = raw[pos : m.start()]
        plain.append(before)
        length += len(before)
        text = m.group("entity_text")
        start, end = length, length + len(text)
        plain.append(text)
        length = end
        pos = m.end()
        dicts: list[dict] = []
        if m.group("entity_dict"):
            dicts = [_json(m.group("entity_dict"))]
        elif m.group("list_entity_dicts"):
            dicts = [_json(d.group("entity_dict")) for d in _SINGLE_DICT.finditer(m.group("list_entity_dicts"))]
        elif m.group("entity"):
            dicts = [{"entity": m.group("entity"), "value": m.group("value")}]
        for d in dicts:
            entities.append(Entity(start, end, str(d.get("entity", "")), _str_or_none(d.get("value"))))
    plain.append(raw[pos:])
    return "".join(plain), tuple(entities)


def _json(text: str) -> dict:
    try:
        value = json.loads("{" + text + "}")
    except json.JSONDecodeError:
        return {"entity": "", "value": None}
    return value if isinstance(value, dict) else {}


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _relative(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return str(path.resolve().relative_to(root.resolve()))
        except ValueError:
            pass
    return str(path)


def _mapping(node: yaml.Node) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _block_lines(node: yaml.Node) -> list[tuple[int, str]]:
    """(1-based line, text) of each line of an `examples: |` block scalar."""
    if not isinstance(node, yaml.ScalarNode):
        return []
    first = node.start_mark.line + (2 if node.style in ("|", ">") else 1)
    return [(first + i, line) for i, line in enumerate(str(node.value).splitlines())]


def compose(path: Path) -> yaml.Node | None:
    with path.open(encoding="utf-8") as fh:
        return yaml.compose(fh, Loader=yaml.SafeLoader)


def read_nlu_file(path: Path, root: Path | None = None) -> tuple[list[Example], list[Synonym]]:
    """Intent examples and synonyms of one Rasa NLU file, with their lines."""
    doc = compose(path)
    name = _relative(path, root)
    examples: list[Example] = []
    synonyms: list[Synonym] = []
    for entry in _mapping(doc).get("nlu", yaml.SequenceNode("", [])).value if doc is not None else []:
        keys = _mapping(entry)
        if "synonym" in keys:
            words = tuple(t.strip()[1:].strip() for _, t in _block_lines(keys.get("examples")) if t.startswith("-"))
            synonyms.append(Synonym(name, entry.start_mark.line + 1, str(keys["synonym"].value), words))
        if "intent" not in keys:
            continue
        intent = str(keys["intent"].value)
        metadata = yaml.safe_load(yaml.serialize(keys["metadata"])) if "metadata" in keys else {}
        node = keys.get("examples")
        if isinstance(node, yaml.SequenceNode):  # examples as a list of {text: …, metadata: …}
            for item in node.value:
                item_keys = _mapping(item)
                if "text" in item_keys:
                    raw = str(item_keys["text"].value).strip()
                    text, ents = parse_annotated(raw)
                    examples.append(Example(name, item.start_mark.line + 1, intent, raw, text, ents, metadata))
            continue
        for line, content in _block_lines(node) if node is not None else []:
            if not content.startswith("-"):
                continue
            raw = content[1:].strip("\n\r ")
            text, ents = parse_annotated(raw)
            examples.append(Example(name, line, intent, raw, text, ents, metadata or {}))
    return examples, synonyms


def read_nlu_dir(directory: Path, root: Path | None = None) -> tuple[list[Example], list[Synonym]]:
    """Every intent example and synonym under a directory of NLU files (sorted by file name)."""
    examples: list[Example] = []
    synonyms: list[Synonym] = []
    for path in sorted(directory.glob("*.yml")):
        ex, syn = read_nlu_file(path, root)
        examples += ex
        synonyms += syn
    return examples, synonyms


@dataclass(frozen=True)
class HeldOut:
    file: str
    line: int
    text: str


def read_held_out(path: Path, root: Path | None = None) -> list[HeldOut]:
    """Texts of a held-out file: Rasa NLU format, or the citizen sets' `{text: …}` entries anywhere."""
    doc = compose(path)
    if doc is None:
        return []
    if "nlu" in _mapping(doc):
        return [HeldOut(e.file, e.line, e.text) for e in read_nlu_file(path, root)[0]]
    name = _relative(path, root)
    found: list[HeldOut] = []
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            keys = _mapping(node)
            if isinstance(keys.get("text"), yaml.ScalarNode):
                found.append(HeldOut(name, keys["text"].start_mark.line + 1, str(keys["text"].value)))
            stack.extend(v for _, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return sorted(found, key=lambda h: h.line)
