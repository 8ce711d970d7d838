"""unifier settings (HOTLINE_* environment variables)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr

from hotline.settings import ServiceSettings
from unifier.domain.rules import GroupingMode

DEV_CSAT_LINK_SECRET = "dev-csat-link-secret-for-this-machine-only"


class UnifierSettings(ServiceSettings):
    service: str = "unifier"
    port: int = 8104
    database_url: str = "sqlite:///var/unifier.db"
    group_id: str = "hotline-unifier"
    instance_id: str = "unifier-1"  # Kafka static membership: a restart takes over at once
    rules_version: str = "1"
    tenant_grouping: dict[str, GroupingMode] = Field(default_factory=dict)
    # tenant -> an integration token given by configuration (role "integration", agent
    # "token:config"; it may also manage the tenant's accounts, e.g. create the first admin)
    api_tokens: dict[str, SecretStr] = Field(default_factory=dict)
    # Sign-in: a session ends after this long unused, and at the latest this long after sign-in
    session_idle_minutes: float = 8 * 60
    session_absolute_hours: float = 72
    # Secure cookies also over plain http (set it behind a TLS-terminating proxy; https
    # requests always get them)
    secure_cookies: bool = False
    lockout_failures: int = 5  # wrong passwords in a row that lock an account
    lockout_minutes: float = 15
    # Per process, in memory: attempts per client address and per email in the window
    login_attempts_per_address: int = 30
    login_attempts_per_email: int = 10
    login_window_seconds: float = 300
    # The email edge's blob store (attachments, HTML bodies): its HOTLINE_BLOB_DIR, read here
    blob_dir: Path = Path("var/blobs")
    # The largest file an agent may upload to attach to a reply (POST .../uploads): 413 past it
    reply_attachment_max_bytes: int = Field(20 * 1024 * 1024, gt=0)
    max_poll_records: int = 5000
    # The broker holds a fetch until this much is there or the wait is over, so a transaction
    # carries up to 100 ms of traffic instead of a trickle. A transaction has a fixed cost
    # (~4 ms of CPU on SQLite, ~16 statements), so at 1,000 msg/s (P1, 60 s) a 20 -> 100 ms wait
    # took the unifier from 75% to 27% of a core (relay 15% -> 5%); at 200 msg/s (P3, 5 min)
    # p99 118 -> 144 ms. 64 KiB -> 256 KiB (at 2,500 msg/s, 60 s): ~90 -> ~200 events per
    # transaction, unifier 56% -> 45% of a core, relay 10% -> 8%; below ~1,300 msg/s the wait
    # ends the fetch first, so lower rates do not change. See bench/profiling.md.
    fetch_min_bytes: int = 256 * 1024
    fetch_max_wait_ms: int = 100
    relay_batch: int = 5000
    # The outbox relay in a child process (a core of its own): in this process it competed
    # with the consumer (drain benchmark, SQLite: 5,630 events/s with it, 7,590 without).
    relay_process: bool = True
    consume: bool = True  # run the consumer and the outbox relay inside the API process
    idempotency_hours: int = 24
    # WhatsApp Cloud API, read for the approved message templates (POST .../reply-templates/sync);
    # without a token the sync is refused; templates are added through the admin API instead
    whatsapp_api_base: str = "https://graph.facebook.com/v21.0"
    whatsapp_token: SecretStr | None = None
    # Channel accounts declared in a file (JSON or TOML; see service/channel_file.py), applied
    # at start: created or updated, others left alone; a bad file stops the start
    channel_accounts_file: Path | None = None
    # SLA policies and calendars declared in a file (TOML or JSON; see service/sla_file.py),
    # applied at start: each tenant named gets the file's policies; a bad file stops the start
    sla_file: Path | None = None
    # The SLA scheduler (one instance per database at a time): it recomputes the conversations
    # whose next warning or due time has come, looking at least this often, this many a round
    sla_scheduler: bool = True
    sla_poll_seconds: float = 1.0
    sla_batch: int = 100
    # /readyz turns 503 once a partition has been stalled this long by an unknown error
    stall_ready_seconds: float = 60.0
    # An edit/delete/reaction/status whose message (or reply result) has not come is held this
    # long, then dropped with a log line and hotline_held_effects_expired_total on /metrics.
    held_effect_hours: float = 24.0
    # A deleted message's original text is kept (in its history, never shown) this many days
    # after the message was sent, then forgotten.
    deleted_text_days: float = 30.0
    sweep_seconds: float = 60.0  # how often both are enforced
    # Auto-assignment (one instance per database at a time): a round after each committed
    # batch and at least this often; an agent is online while their live stream is open or
    # seen this recently, and an offline agent's open threads move after the grace period.
    assign_auto: bool = True
    assign_poll_seconds: float = 2.0
    presence_online_seconds: float = 60.0
    offline_grace_seconds: float = 120.0
    # Triage on arrival (README "Triage"): each message's language among these ISO 639-1
    # codes (comma-separated, among fastText's 176); a guess below the confidence (the model's
    # probability for the language) is recorded only.
    triage_languages: str = "en,fr,de,es,it,pt,nl,zh,ar,ru,ja,tr,pl"
    triage_language_confidence: float = Field(0.5, ge=0, le=1)
    triage: bool = True  # off: no language, category or priority is set or recorded
    # tenant -> rules (JSON), applied at start like the API's PUT .../triage/rules; a bad file
    # stops the start
    triage_rules_file: Path | None = None
    # Category models are retrained this often for tenants labelled since (0: only by API/CLI)
    triage_train_hours: float = Field(24.0, ge=0)
    # Satisfaction surveys (README "Satisfaction surveys"): asked when an agent resolves a
    # conversation, on the channel the customer last used. Defaults for every inbox; per channel
    # kind in csat_channels ({"sms": {"scale": 5, "enabled": false}}), per inbox in its channel
    # account's settings {"csat": {...}} (keys: enabled, scale, expiry_hours, question).
    csat_enabled: bool = True
    csat_scale: int = 5  # 2, 3, 5 or 10 (WhatsApp's built-in default: 3, its button limit)
    csat_expiry_hours: float = Field(72.0, gt=0)
    csat_question: str = "How would you rate the help you got from us?"
    csat_channels: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # Signs the email survey link (/csat/{token}). Unset: a published dev key in dev; elsewhere
    # email conversations are resolved without a survey (the other channels need no link)
    csat_link_secret: SecretStr | None = None
    # Where customers reach this service's /csat pages; unset: http://{host}:{port}
    csat_public_url: str | None = None

    def csat_secret(self) -> SecretStr | None:
        if self.csat_link_secret is None and self.env == "dev":
            return SecretStr(DEV_CSAT_LINK_SECRET)
        return self.csat_link_secret

    # Test-only fault injection: probability of SIGKILL right after a batch's DB commit,
    # before the Kafka offset commit (the exactly-once test uses it; 0 in production).
    fault_kill_after_commit: float = 0.0
