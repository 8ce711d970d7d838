"""The reply-quotes corpus (../shared/corpora/reply-quotes): every input body, its language and
the visible text we expect, read at test time.

Expected text comes from upstream where upstream states it exactly (discourse `trimmed/`, crisp
and mail-parser-reply `equals` assertions on the first fragment / newest reply body), else from
our own reading of the sample (`reply_expectations.OURS`), and where we disagree with upstream
from `reply_expectations.OVERRIDES`. Both tables give the expected text as the first N lines of
the input, as ranges of its lines, or literally.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tests.unit.email.reply_expectations import LANGUAGES, OURS, OVERRIDES, Expected

ROOT = "reply-quotes"
DISCOURSE = "discourse-email_reply_trimmer"
CRISP = "crisp-email-reply-parser"
MPR = "mail-parser-reply"
_CRISP_TARGETS = (
    "fragment[0]",
    "fragment[0], trimmed",
    "visible text (getVisibleText())",
    "visible text, trimmed",
    "parseReply() result (visible text)",
)
_KEYWORDS = {  # a word of the file name -> language
    "german": "de", "de": "de", "french": "fr", "fr": "fr", "italian": "it", "dutch": "nl",
    "nl": "nl", "polish": "pl", "pl": "pl", "portuguese": "pt", "russian": "ru",
    "spanish": "es", "swedish": "sv", "sv": "sv", "norwegian": "no", "ukrainian": "uk",
    "chinese": "zh", "danish": "da", "finnish": "fi", "ja": "ja",
}  # fmt: skip


@dataclass(frozen=True)
class Sample:
    key: str  # "<set>/<file name>"
    language: str
    text: str  # the input body, line endings normalised as part_text() does
    expected: str  # normalised (see normalise)
    source: str  # "upstream", "ours" or "override: <reason>"


def normalise(text: str) -> str:
    """What we compare: trailing whitespace of each line and leading/trailing blank lines go."""
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def language(key: str) -> str:
    if key in LANGUAGES:
        return LANGUAGES[key]
    words = key.split("/", 1)[1].removesuffix(".txt").split("_")
    return next((_KEYWORDS[word] for word in words if word in _KEYWORDS), "en")


def load(corpora: Path) -> list[Sample]:
    base = corpora / ROOT
    upstream = {**_discourse(base), **_crisp(base), **_mpr(base)}
    inputs = {**_inputs(base, DISCOURSE, "test/emails"), **_inputs(base, CRISP, "test/fixtures")}
    inputs.update(_inputs(base, MPR, "test/emails"))
    return [_sample(key, text, upstream.get(key)) for key, text in sorted(inputs.items())]


def _sample(key: str, text: str, upstream: str | None) -> Sample:
    if key in OVERRIDES:
        expected, reason = OVERRIDES[key]
        return Sample(key, language(key), text, _resolve(text, expected), f"override: {reason}")
    if upstream is not None:
        return Sample(key, language(key), text, normalise(upstream), "upstream")
    expected, _ = OURS[key]  # every sample has an expectation: a KeyError names a gap
    return Sample(key, language(key), text, _resolve(text, expected), "ours")


def _resolve(text: str, expected: Expected) -> str:
    if isinstance(expected, int):
        return normalise("\n".join(text.split("\n")[:expected]))
    if isinstance(expected, str):
        return normalise(expected)
    lines = text.split("\n")
    ranges = [expected] if isinstance(expected, range) else expected
    return normalise("\n".join(line for r in ranges for line in lines[r.start : r.stop]))


def _inputs(base: Path, name: str, folder: str) -> dict[str, str]:
    files = sorted((base / name / folder).glob("*.txt"))
    return {f"{name}/{f.name}": _read(f) for f in files}


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def _discourse(base: Path) -> dict[str, str]:
    trimmed = sorted((base / DISCOURSE / "test" / "trimmed").glob("*.txt"))
    return {f"{DISCOURSE}/{f.name}": _read(f) for f in trimmed}


def _crisp(base: Path) -> dict[str, str]:
    data = json.loads((base / CRISP / "expected.json").read_text("utf-8"))
    common = data["COMMON_FIRST_FRAGMENT"]
    found: dict[str, str] = {}
    for test in data["tests"]:
        for check in test["assertions"]:
            if check["target"] in _CRISP_TARGETS and isinstance(check.get("equals"), str):
                value = check["equals"].replace("<COMMON_FIRST_FRAGMENT>", common)
                found.setdefault(f"{CRISP}/{test['fixture']}", value)
    return found


def _mpr(base: Path) -> dict[str, str]:
    data = json.loads((base / MPR / "expected.json").read_text("utf-8"))
    found: dict[str, str] = {}
    for test in data["tests"]:
        for check in test["assertions"]:
            if check["target"] == "replies[0].body" and isinstance(check.get("equals"), str):
                found.setdefault(f"{MPR}/{test['fixture']}", check["equals"])
    return found
