"""Trainer commands (`scripts/trainer …`): NLU checks and evaluation, scenario templates, checks and
the one-step `scenario add`. Runs in the API environment; the Rasa parts run in the bot environment
as subprocesses (modules `trainer.bot_tokens`, `trainer.evaluate`), which import nothing of the API."""
