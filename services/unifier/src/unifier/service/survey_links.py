"""The email survey's link: ``/csat/{token}``, the token a JWT (HS256) naming the tenant and
the survey, signed with ``HOTLINE_CSAT_LINK_SECRET`` and expiring with the survey."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import jwt
from pydantic import SecretStr

ALGORITHM = "HS256"
AUDIENCE = "hotline.csat"


class BadLink(ValueError):
    """A link that is forged, malformed or expired: ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SurveyLinks:
    secret: SecretStr
    public_url: str  # where customers reach this unifier, e.g. https://help.example.com

    def link(self, tenant: str, survey_id: str, expires_at: datetime) -> str:
        claims = {"t": tenant, "s": survey_id, "exp": expires_at, "aud": AUDIENCE}
        token = jwt.encode(claims, self.secret.get_secret_value(), algorithm=ALGORITHM)
        return f"{self.public_url.rstrip('/')}/csat/{token}"

    def read(self, token: str) -> tuple[str, str]:
        """(tenant, survey id) of a valid token; ``BadLink`` otherwise."""
        try:
            claims = jwt.decode(
                token,
                self.secret.get_secret_value(),
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                options={"require": ["exp", "aud", "t", "s"]},
            )
        except jwt.ExpiredSignatureError:
            raise BadLink("expired") from None
        except jwt.PyJWTError:
            raise BadLink("invalid") from None
        return str(claims["t"]), str(claims["s"])
