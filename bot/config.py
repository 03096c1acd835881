"""The one place that reads environment settings; defaults work on a laptop."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional

ROOT = Path(__file__).resolve().parent.parent


def environment_value(name: str, default: str = "", environ: Optional[Mapping[str, str]] = None) -> str:
    """One environment variable, stripped; ``default`` when unset or blank. The only reader of the
    environment (channels read their optional credentials through it too)."""
    value = str((os.environ if environ is None else environ).get(name, "") or "").strip()
    return value or default


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@dataclass(frozen=True)
class Settings:
    """Runtime settings. ``Settings()`` holds the laptop defaults; :meth:`from_environment` reads
    each one's environment variable (``get_settings()`` does so once per process)."""

    root: Path = ROOT
    var_dir: Path = ROOT / "var"
    sources_dir: Path = ROOT / "data" / "sources"
    database_url: str = _sqlite_url(ROOT / "data" / "practices.db")
    tracker_db_url: str = ""
    labels_db_url: str = ""  # editors' labels on unanswered questions (kept out of the tracker store)
    redis_url: str = ""
    rasa_port: int = 5005
    action_port: int = 5055
    web_port: int = 8000
    rasa_url: str = ""
    rasa_token: str = ""  # enables Rasa's HTTP API
    console_token: str = ""
    cors_origins: tuple[str, ...] = ()
    action_endpoint: str = ""  # the action server's webhook, when not on this machine's ACTION_PORT
    # A Rasa session longer than this many events is rolled over (see bot.running.rasa_patches).
    session_max_events: int = 120
    handoff_idle_seconds: float = 600.0  # a claimed conversation with no agent message this long is requeued
    handoff_remind_seconds: float = 300.0  # a worker waiting this long with no word hears they are still queued
    wechat_push_quota: int = 5  # WeChat's customer-service messages per worker message (within 48 h)
    # Rasa worker processes on the one Rasa port: one per core; more than one needs Redis (REDIS_URL, or
    # the local redis-server `make run` starts) for Rasa's lock store and the WeChat channels' memory.
    rasa_workers: int = field(default_factory=lambda: os.cpu_count() or 1)

    @classmethod
    def from_environment(cls, environ: Optional[Mapping[str, str]] = None, **overrides: Any) -> "Settings":
        """The settings of an environment (this process's by default), with ``overrides`` on top."""
        default = cls()

        def get(name: str, value: Any) -> str:
            return environment_value(name, str(value), environ)

        read = cls(
            var_dir=Path(get("VAR_DIR", default.var_dir)),
            sources_dir=Path(get("SOURCES_DIR", default.sources_dir)),
            database_url=get("DATABASE_URL", default.database_url),
            tracker_db_url=get("TRACKER_DB_URL", ""),
            labels_db_url=get("LABELS_DB_URL", ""),
            redis_url=get("REDIS_URL", ""),
            rasa_port=int(get("RASA_PORT", default.rasa_port)),
            action_port=int(get("ACTION_PORT", default.action_port)),
            web_port=int(get("WEB_PORT", default.web_port)),
            rasa_url=get("RASA_URL", ""),
            rasa_token=get("RASA_TOKEN", ""),
            console_token=get("CONSOLE_TOKEN", ""),
            cors_origins=tuple(o.strip() for o in get("CORS_ORIGINS", "").split(",") if o.strip()),
            action_endpoint=get("ACTION_ENDPOINT_URL", ""),
            session_max_events=int(get("SESSION_MAX_EVENTS", default.session_max_events)),
            handoff_idle_seconds=float(get("HANDOFF_IDLE_SECONDS", default.handoff_idle_seconds)),
            handoff_remind_seconds=float(get("HANDOFF_REMIND_SECONDS", default.handoff_remind_seconds)),
            wechat_push_quota=int(get("WECHAT_PUSH_QUOTA", default.wechat_push_quota)),
            rasa_workers=max(1, int(get("RASA_WORKERS", default.rasa_workers))),
        )
        return replace(read, **overrides)

    @property
    def tracker_url(self) -> str:
        """SQL tracker store URL: conversations are stored by default under var/."""
        return self.tracker_db_url or _sqlite_url(self.var_dir / "tracker.db")

    @property
    def labels_url(self) -> str:
        """SQL database of the editors' labels: by default var/labels.db."""
        return self.labels_db_url or _sqlite_url(self.var_dir / "labels.db")

    @property
    def action_endpoint_url(self) -> str:
        return self.action_endpoint or f"http://127.0.0.1:{self.action_port}/webhook"

    @property
    def rasa_base_url(self) -> str:
        return self.rasa_url or f"http://127.0.0.1:{self.rasa_port}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process."""
    return Settings.from_environment()
