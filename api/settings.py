"""API settings: one class, one instance, read from the environment (and .env when present)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from textnorm import MAX_MESSAGE_CHARS

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=PROJECT_ROOT / ".env", extra="ignore")

    DATABASE_URL: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'api.sqlite3'}"
    DATA_DIR: Path = PROJECT_ROOT / "data"
    MAX_BODY_BYTES: int = 64 * 1024
    LOG_LEVEL: str = "INFO"
    TELEMETRY: bool = False

    # The chat endpoint and the Rasa server behind it (loopback or private network only).
    RASA_URL: str = "http://127.0.0.1:5005"  # several, comma-separated, share one tracker and lock store
    RASA_AUTH_TOKEN: str = ""  # or RASA_AUTH_TOKEN_FILE; needed only to read conversations back
    RASA_AUTH_TOKEN_FILE: Path | None = None
    CHAT_MAX_CHARS: int = MAX_MESSAGE_CHARS
    SESSION_IDLE_MINUTES: int = 30
    COOKIE_SECURE: bool = False  # also Secure whenever the request came over https

    # Citizen pages. The kiosk ends an idle session: a countdown after KIOSK_IDLE_SECONDS.
    KIOSK_IDLE_SECONDS: int = 120
    KIOSK_COUNTDOWN_SECONDS: int = 30
    # Speech. Read aloud uses espeak-ng's "cmn" voice when the program is installed (TTS_COMMAND).
    TTS_COMMAND: str = "espeak-ng"
    TTS_MAX_CHARS: int = 300
    # Voice input: "module:Class" of a recogniser (api.speech.asr.VoskRecogniser with ASR_MODEL_DIR,
    # or the operator's own); empty hides the microphone button.
    ASR_RECOGNISER: str = ""
    ASR_MODEL_DIR: Path | None = None
    ASR_MAX_BYTES: int = 2 * 1024 * 1024  # about two minutes of compressed speech
    LIMIT_SPEECH_PER_SESSION: str = "20/minute"

    # Staff workspace: sessions end after STAFF_IDLE_MINUTES without use or STAFF_SESSION_HOURS in all;
    # LOGIN_MAX_FAILURES wrong passwords in a row lock the account for LOGIN_LOCK_MINUTES.
    STAFF_IDLE_MINUTES: int = 30
    STAFF_SESSION_HOURS: int = 10
    LOGIN_MAX_FAILURES: int = 5
    LOGIN_LOCK_MINUTES: int = 15
    LIMIT_LOGINS_PER_CLIENT: str = "10/minute"
    STAFF_PAGE_SIZE: int = 50
    NOTIFY_SENDER: str = "api.notify:LogSender"  # "module:Class" with send(recipient, text)

    # Trainer inbox (api/trainer_inbox): two misses whose grouping texts share this much (Dice over
    # character bigrams) are one group; the newest INBOX_GROUP_CANDIDATES open groups are compared.
    INBOX_SIMILARITY: float = 0.5
    INBOX_GROUP_CANDIDATES: int = 2000
    INBOX_EXAMPLES_SHOWN: int = 10
    INBOX_EXPORT_EXAMPLES: int = 20  # distinct examples exported per group at most
    INBOX_OUT_OF_SCOPE_INTENT: str = "out_of_scope"  # data/nlu/intents.yml
    INBOX_EXPORT_FILE: Path = PROJECT_ROOT / "data" / "nlu" / "inbox.yml"
    BOT_DOMAIN_DIR: Path = PROJECT_ROOT / "bot" / "domain"

    # Rate limits (the `limits` library's notation); RATE_LIMIT_STORAGE=redis://… shares them.
    RATE_LIMIT_STORAGE: str = "memory://"
    LIMIT_CHAT_PER_SESSION: str = "30/minute"
    LIMIT_CHAT_PER_CLIENT: str = "120/minute"
    LIMIT_SESSIONS_PER_CLIENT: str = "60/hour"
    LIMIT_SUBMISSIONS_PER_CLIENT: str = "10/hour"
    LIMIT_MISSES_PER_CLIENT: str = "60/hour"
    LIMIT_LOOKUPS_PER_CLIENT: str = "30/minute"
    LIMIT_FAILED_LOOKUPS_PER_CLIENT: str = "20/hour"
    LIMIT_WRONG_PHONES_PER_NUMBER: str = "5/15minutes"  # then the number is locked for 15 minutes

    def rasa_token(self) -> str:
        if self.RASA_AUTH_TOKEN:
            return self.RASA_AUTH_TOKEN
        if self.RASA_AUTH_TOKEN_FILE:
            return self.RASA_AUTH_TOKEN_FILE.read_text(encoding="utf-8").strip()
        return ""

    def rate_rules(self) -> dict[str, str]:
        return {
            "chat_session": self.LIMIT_CHAT_PER_SESSION,
            "chat_client": self.LIMIT_CHAT_PER_CLIENT,
            "new_session": self.LIMIT_SESSIONS_PER_CLIENT,
            "submit_client": self.LIMIT_SUBMISSIONS_PER_CLIENT,
            "miss_client": self.LIMIT_MISSES_PER_CLIENT,
            "lookup_client": self.LIMIT_LOOKUPS_PER_CLIENT,
            "failed_lookup_client": self.LIMIT_FAILED_LOOKUPS_PER_CLIENT,
            "wrong_phone_number": self.LIMIT_WRONG_PHONES_PER_NUMBER,
            "speech_session": self.LIMIT_SPEECH_PER_SESSION,
            "login_client": self.LIMIT_LOGINS_PER_CLIENT,
        }


settings = Settings()
