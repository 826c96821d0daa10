"""bot/serve.py checks action server answers exactly as Rasa's own check does, only faster."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import serve

VALID = [
    {"events": [], "responses": []},
    {
        "events": [
            {"event": "slot", "name": "company_name", "value": "天津滨海新区芳味餐饮店", "timestamp": None},
            {"event": "active_loop", "name": None},
            {"event": "followup", "name": "action_listen"},
        ],
        "responses": [{"text": "请告诉我从业人员人数。", "buttons": []}],
    },
]
INVALID = [
    {"events": [{"event": "slot", "value": 1}]},  # a slot event without a name
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"responses": [1, 2]},
]


@pytest.fixture
def original() -> RemoteAction:
    return RemoteAction("validate_application_form", None)


@pytest.mark.parametrize("answer", VALID)
def test_valid_answers_pass_both(answer: dict, original: RemoteAction) -> None:
    assert original._validate_action_result(answer) is True
    assert serve.validate_action_result(original, answer) is True


@pytest.mark.parametrize("answer", INVALID)
def test_invalid_answers_fail_both_with_the_same_message(answer: dict, original: RemoteAction) -> None:
    with pytest.raises(ValidationError) as rasa_error:
        original._validate_action_result(answer)
    with pytest.raises(ValidationError) as our_error:
        serve.validate_action_result(original, answer)
    assert our_error.value.message == rasa_error.value.message
    assert "Failed to validate Action server response" in our_error.value.message


def test_install_replaces_the_check_on_remote_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    serve.install()
    action = RemoteAction("action_show_summary", None)
    assert action._validate_action_result(VALID[1]) is True
    with pytest.raises(ValidationError):
        action._validate_action_result(INVALID[0])


def test_loaded_model_is_kept_out_of_full_collections(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio
    import gc

    import rasa.core.run

    loaded = [object() for _ in range(1000)]  # stands for the model Rasa's loader builds

    async def rasa_loader(*args: object, **kwargs: object) -> list[object]:
        return loaded

    monkeypatch.setattr(rasa.core.run, "load_agent_on_start", rasa_loader)
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    serve.install()
    assert rasa.core.run.load_agent_on_start is serve.load_agent_then_freeze
    try:
        assert asyncio.run(rasa.core.run.load_agent_on_start("model.tar.gz")) is loaded
        assert gc.get_freeze_count() >= len(loaded)
    finally:
        gc.unfreeze()


RUN = ["bot.serve", "run", "--model", "m.tar.gz", "--enable-api"]


def test_rasa_listens_on_loopback_with_a_token_from_the_environment() -> None:
    argv = serve.secure_run_argv(RUN, {"RASA_AUTH_TOKEN": "t0ken-from-env"})
    assert "--auth-token=t0ken-from-env" in argv
    assert argv[argv.index("--interface") + 1] == "127.0.0.1"
    # an explicit interface (the private network in compose) is kept
    assert "127.0.0.1" not in serve.secure_run_argv([*RUN, "-i", "10.0.0.5"], {})


def test_token_from_a_file_or_generated_when_none_is_configured(tmp_path) -> None:
    secret = tmp_path / "token"
    secret.write_text("file-token\n", encoding="utf-8")
    argv = serve.secure_run_argv(RUN, {"RASA_AUTH_TOKEN_FILE": str(secret)})
    assert "--auth-token=file-token" in argv
    generated = {serve.auth_token({}) for _ in range(3)}
    assert len(generated) == 3 and all(len(t) >= 40 for t in generated)


@pytest.mark.parametrize("extra", [["--auth-token", "x"], ["--auth-token=x"], ["--cors", "*"]])
def test_token_on_the_command_line_and_cors_are_refused(extra: list[str]) -> None:
    with pytest.raises(SystemExit):
        serve.secure_run_argv([*RUN, *extra], {})


def test_other_commands_are_left_alone() -> None:
    assert serve.secure_run_argv(["bot.serve", "train"], {}) == ["bot.serve", "train"]


def test_a_token_beginning_with_a_dash_reaches_rasa_as_the_token() -> None:
    """token_urlsafe gives a leading "-" one time in 64; as a separate argument Rasa took it for an option."""
    from rasa.__main__ import create_argument_parser

    argv = serve.secure_run_argv(RUN, {"RASA_AUTH_TOKEN": "-UiNRvIZWNBUlv4TfE1oj2q"})
    args = create_argument_parser().parse_args(argv[1:])
    assert args.auth_token == "-UiNRvIZWNBUlv4TfE1oj2q"
