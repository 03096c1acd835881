"""The one place that reads environment settings; defaults work on a laptop."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@dataclass(frozen=True)
class Settings:
    """Runtime settings, each overridable by an environment variable."""

    root: Path = ROOT
    var_dir: Path = field(default_factory=lambda: Path(_env("VAR_DIR", str(ROOT / "var"))))
    sources_dir: Path = field(default_factory=lambda: Path(_env("SOURCES_DIR", str(ROOT / "data" / "sources"))))
    database_url: str = field(
        default_factory=lambda: _env("DATABASE_URL", _sqlite_url(ROOT / "data" / "practices.db"))
    )
    tracker_db_url: str = field(default_factory=lambda: _env("TRACKER_DB_URL", ""))
    redis_url: str = field(default_factory=lambda: _env("REDIS_URL", ""))
    rasa_port: int = field(default_factory=lambda: int(_env("RASA_PORT", "5005")))
    action_port: int = field(default_factory=lambda: int(_env("ACTION_PORT", "5055")))
    web_port: int = field(default_factory=lambda: int(_env("WEB_PORT", "8000")))
    rasa_url: str = field(default_factory=lambda: _env("RASA_URL", ""))
    rasa_token: str = field(default_factory=lambda: _env("RASA_TOKEN", ""))  # enables Rasa's HTTP API
    console_token: str = field(default_factory=lambda: _env("CONSOLE_TOKEN", ""))
    cors_origins: tuple[str, ...] = field(
        default_factory=lambda: tuple(o for o in _env("CORS_ORIGINS", "").split(",") if o.strip())
    )

    @property
    def tracker_url(self) -> str:
        """SQL tracker store URL: conversations are stored by default under var/."""
        return self.tracker_db_url or _sqlite_url(self.var_dir / "tracker.db")

    @property
    def action_endpoint_url(self) -> str:
        return _env("ACTION_ENDPOINT_URL", f"http://127.0.0.1:{self.action_port}/webhook")

    @property
    def rasa_base_url(self) -> str:
        return self.rasa_url or f"http://127.0.0.1:{self.rasa_port}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings read once per process."""
    return Settings()
