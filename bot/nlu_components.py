"""Custom NLU component: resolve which scenario (一件事) a message is about.

DIET finds scenario phrases, but citizens name them in endless ways ("准备开个家常菜馆",
"爷爷走了后事怎么办") and a partial span is no scenario id. For messages that ask to start or ask
about a scenario, this component looks for the longest alias or keyword of each scenario in the
text (bot/scenario_keywords.json, generated from data/scenarios by `make generate`) and sets one
`scenario` entity whose value is the scenario id. Ties leave DIET's answer alone.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

SCENARIO_INTENTS = {"start_scenario", "ask_materials", "ask_time_limit", "ask_fee", "ask_where"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class ScenarioResolver(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"keywords_file": "bot/scenario_keywords.json"}

    def __init__(self, config: dict[str, Any]) -> None:
        table = json.loads(Path(config["keywords_file"]).read_text(encoding="utf-8"))["scenarios"]
        self._words: list[tuple[str, str]] = sorted(
            ((word, sid) for sid, words in table.items() for word in words), key=lambda p: -len(p[0])
        )

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ScenarioResolver:
        return cls(config)

    def resolve(self, text: str) -> tuple[str, int, int] | None:
        """(scenario id, start, end) of the longest alias/keyword found, unless two scenarios tie."""
        best: dict[str, tuple[int, int]] = {}
        for word, sid in self._words:
            pos = text.find(word)
            if pos >= 0 and sid not in best:
                best[sid] = (pos, pos + len(word))
        if not best:
            return None
        ranked = sorted(best.items(), key=lambda kv: -(kv[1][1] - kv[1][0]))
        if len(ranked) > 1 and ranked[0][1][1] - ranked[0][1][0] == ranked[1][1][1] - ranked[1][1][0]:
            return None
        sid, (start, end) = ranked[0]
        return sid, start, end

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            intent = (message.get(INTENT) or {}).get("name")
            entities = message.get(ENTITIES) or []
            has_scenario = any(e.get("entity") == "scenario" for e in entities)
            if intent not in SCENARIO_INTENTS and not has_scenario:
                continue
            found = self.resolve(text)
            if found is None:
                continue
            sid, start, end = found
            kept = [e for e in entities if e.get("entity") != "scenario"]
            kept.append(
                {
                    "entity": "scenario",
                    "value": sid,
                    "start": start,
                    "end": end,
                    "confidence_entity": 1.0,
                    "extractor": self.__class__.__name__,
                }
            )
            message.set(ENTITIES, kept, add_to_output=True)
        return messages
