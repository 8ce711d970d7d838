"""The traffic mix (pure, seeded): who sends what on which channel, and which sends are
provider retries of messages that were already acknowledged."""

from __future__ import annotations

import dataclasses
import random
from collections import deque
from dataclasses import dataclass
from typing import Literal

Channel = Literal["whatsapp", "slack", "email"]


@dataclass(frozen=True)
class Customer:
    n: int

    @property
    def phone(self) -> str:  # E.164 without "+", as WhatsApp's wa_id
        return f"4917{self.n:08d}"

    @property
    def email(self) -> str:
        return f"customer{self.n}@example.test"

    @property
    def slack_user(self) -> str:
        return f"UCUST{self.n:06d}"


@dataclass(frozen=True)
class Send:
    seq: int
    channel: Channel
    customer: Customer
    provider_id: str
    text: str
    attachment: bool = False
    reply_to: str | None = None  # provider id of an earlier message of the same conversation
    thread_root: str | None = None  # the conversation's first message (email References root)
    retry_of: int | None = None  # a provider retry repeats send ``retry_of`` byte for byte


@dataclass
class MixSettings:
    channels: tuple[Channel, ...] = ("whatsapp", "slack", "email")
    customers: int = 5000
    new_customer_share: float = 0.3
    retry_share: float = 0.2
    attachment_share: float = 0.05
    reply_share: float = 0.3
    seed: int = 7


RETRY_WINDOW = 500  # a provider retry repeats one of the last sends


class Mix:
    """Yields sends in order; keeps what is needed for replies and retries (the last sends,
    not all of them: a soak makes millions)."""

    def __init__(self, settings: MixSettings) -> None:
        self.s = settings
        self.rng = random.Random(settings.seed)
        self.count = 0
        self.recent: deque[Send] = deque(maxlen=RETRY_WINDOW)
        self.last_by_conversation: dict[tuple[Channel, int], str] = {}
        self.root_by_conversation: dict[tuple[Channel, int], str] = {}
        self.next_new = settings.customers // 2

    def next(self) -> Send:
        seq, self.count = self.count, self.count + 1
        if self.recent and self.rng.random() < self.s.retry_share:
            send = self._retry(seq)
        else:
            send = self._fresh(seq)
        self.recent.append(send)
        return send

    def _retry(self, seq: int) -> Send:
        """A retry of a retry repeats the same original (it carries the original's fields)."""
        picked = self.recent[self.rng.randrange(len(self.recent))]
        original = picked.seq if picked.retry_of is None else picked.retry_of
        return dataclasses.replace(picked, seq=seq, retry_of=original)

    def _customer(self) -> Customer:
        if self.rng.random() < self.s.new_customer_share:
            self.next_new += 1
            return Customer(self.next_new)
        return Customer(self.rng.randrange(self.s.customers // 2))

    def _fresh(self, seq: int) -> Send:
        customer = self._customer()
        channel = self.rng.choice(self.s.channels)
        conv = (channel, customer.n)
        reply_to = self.last_by_conversation.get(conv)
        if reply_to is not None and self.rng.random() > self.s.reply_share:
            reply_to = None
        pid = _provider_id(channel, seq)
        root = self.root_by_conversation.get(conv) if reply_to else None
        self.root_by_conversation[conv] = root or pid
        self.last_by_conversation[conv] = pid
        attachment = self.rng.random() < self.s.attachment_share
        text = f"load message {seq} from {customer.n}"
        return Send(seq, channel, customer, pid, text, attachment, reply_to, root)


def _provider_id(channel: Channel, seq: int) -> str:
    if channel == "whatsapp":
        return f"wamid.LOAD{seq:010d}"
    if channel == "slack":
        return f"{1_790_000_000 + seq // 1000}.{seq % 1000:06d}"
    return f"<load-{seq}@example.test>"
