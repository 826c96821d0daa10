"""The trainer inbox: what the bot did not understand, grouped, labelled by trainers and exported to
`data/nlu/inbox.yml` for the next training (never into the running model).

- `grouping`: normalised text and character n-gram similarity (pure);
- `domain`: the intents and entities a trainer may choose, read from the bot's domain;
- `service`: the trainer's actions on a group, each audited (used by the JSON API and the pages);
- `export`: the labelled groups as Rasa 3 NLU YAML; `python -m api.trainer_inbox export`.

Where messages come from: the action server reports fallbacks (actions/misc_actions.py) and the
Rasa tracker store reports unsure and re-asked turns (bot/inbox_capture.py); both post to
`POST /api/nlu/misses` with the internal token.
"""
