"""The topic table: read from ``deploy/kafka/topics`` (one file declares every topic)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from hotline import events

INBOUND_EMAIL = "hotline.inbound.email"
INBOUND_CHAT = "hotline.inbound.chat"
INBOUND_SOCIAL = "hotline.inbound.social"
INBOUND_VOICE = "hotline.inbound.voice"
REPLIES_EMAIL = "hotline.replies.email"
REPLIES_CHAT = "hotline.replies.chat"
REPLIES_SOCIAL = "hotline.replies.social"
REPLY_RESULTS = "hotline.replies.results"
CONVERSATIONS = "hotline.conversations"
CONTACTS = "hotline.contacts"
OPS = "hotline.ops"
CHANNEL_ACCOUNTS = "hotline.channel-accounts.v1"  # compacted: the latest state per account


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    retention_ms: int
    dead_letter: str | None
    purpose: str
    compacted: bool = False  # cleanup.policy=compact: the latest record per key, kept forever

    def configs(self) -> dict[str, str]:
        """The topic-level configs it is created with."""
        if self.compacted:
            return {"cleanup.policy": "compact", "retention.ms": "-1"}
        return {"retention.ms": str(self.retention_ms)}


def repo_root() -> Path:
    env = os.environ.get("HOTLINE_ROOT")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "deploy" / "kafka" / "topics").is_file():
            return parent
    raise FileNotFoundError("deploy/kafka/topics not found; set HOTLINE_ROOT")


COMPACT = "compact"  # in the retention column: compacted, nothing expires by age


def parse_topics(text: str) -> list[TopicSpec]:
    specs = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, parts, retention, dlq, *purpose = line.split()
        specs.append(
            TopicSpec(
                name=name,
                partitions=int(parts),
                retention_ms=-1 if retention == COMPACT else int(retention),
                dead_letter=None if dlq == "-" else dlq,
                purpose=" ".join(purpose),
                compacted=retention == COMPACT,
            )
        )
    return specs


def load_topics(path: Path | None = None) -> list[TopicSpec]:
    path = path or repo_root() / "deploy" / "kafka" / "topics"
    return parse_topics(path.read_text(encoding="utf-8"))


def dead_letter_for(topic: str, specs: list[TopicSpec] | None = None) -> str:
    for spec in specs or load_topics():
        if spec.name == topic and spec.dead_letter:
            return spec.dead_letter
    return f"{topic}.dlq"


def inbound_topic_for(channel_kind: str) -> str:
    if channel_kind == "email":
        return INBOUND_EMAIL
    if channel_kind in ("slack", "widget"):
        return INBOUND_CHAT
    if channel_kind == "voice":
        return INBOUND_VOICE
    return INBOUND_SOCIAL


def replies_topic_for(channel_kind: str) -> str:
    return {INBOUND_EMAIL: REPLIES_EMAIL, INBOUND_CHAT: REPLIES_CHAT}.get(
        inbound_topic_for(channel_kind), REPLIES_SOCIAL
    )


def event_topic(event: events.Event) -> str:
    """Where an event goes unless a caller names the topic."""
    if isinstance(event, events.ReplyRequested | events.AgentTyping):
        return replies_topic_for(event.channel.kind)
    if isinstance(event, events.ReplyResult):
        return REPLY_RESULTS
    if isinstance(event, events.OpsUpdate):
        return OPS
    return inbound_topic_for(event.channel.kind)
