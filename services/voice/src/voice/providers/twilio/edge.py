"""Twilio Voice edge: status, recording and transcription callbacks on one path, routed by
the body's ``AccountSid`` to a ``voice`` account of source ``twilio`` (404 otherwise) and
signed over the account's ``webhook_url`` plus the request's query with any of its
``auth_token`` values, or of its ``shared_key`` with HMAC-SHA256 when a Webhooks Rule signs
(401 otherwise). Nothing is produced for a refused callback.

Point every callback of the number at ``webhook_url``: the voice URL's ``statusCallback``
(events initiated, ringing, answered, completed), ``<Record recordingStatusCallback=…>`` and
``transcribeCallback``. Add ``?voicemail=1`` to the callback URLs of the voicemail branch
(the ``<Record>`` after the greeting): its recording also becomes ``call.voicemail``. A
status callback URL with the marker (a number whose calls all go to voicemail) ends its calls
as ``voicemail``.
"""

from __future__ import annotations

from hotline import twilio
from hotline.accounts import Account, AccountRegistry
from hotline.accounts.registry import ANY
from hotline.http import Rejected, ServiceState
from hotline.http.hotpath import Answer, Handler, Inbound
from hotline.intake.http import rejected
from hotline.kafka.errors import PermanentError
from voice import intake
from voice.providers.twilio import parse, verify
from voice.providers.twilio.normalize import normalize
from voice.routing import context, routed, signed
from voice.settings import VoiceSettings

PATH = "/webhooks/voice/twilio"
SOURCE = "twilio"


def post_handler(registry: AccountRegistry, settings: VoiceSettings) -> Handler:
    tenancy = settings.tenancy()

    async def receive(state: ServiceState, req: Inbound) -> Answer:
        form, broken = _form(req)
        sid = form.fields.get("AccountSid") or ANY
        account = routed(registry, SOURCE, sid)
        _signed_by(account, verify.signed_url(_base(account, settings), req.query), req, form)
        if broken is not None:
            raise broken  # signed garbage: 400 / 422
        ctx = context(account, sid, tenancy, settings.default_region, verify.flags(req.query))
        outcome = intake.outcome_of(lambda: normalize(form, ctx), req.body, PATH)
        return await intake.answer(state, outcome, account)

    return receive


def _signed_by(account: Account, url: str, req: Inbound, form: twilio.Form) -> None:
    """401 unless a value of the secret the request names (auth token, or a Webhooks Rule's
    shared key) signed it with the hash it names."""
    found = verify.scheme(req.headers.get(twilio.SETTINGS_HEADER))
    if found is None:
        raise Rejected(401, "bad_signature", "unknown signature algorithm")
    secret, digest = found
    header = req.headers.get("x-twilio-signature")
    signed(
        account, secret, lambda t: verify.request_ok(t, url, req.body, form.pairs, header, digest)
    )


def _form(req: Inbound) -> tuple[twilio.Form, Exception | None]:
    """The body as a form (a JSON one when signed through ``bodySHA256``); one that cannot be
    read is empty until its signature is known (unsigned garbage is a 401, not a 400)."""
    try:
        read = parse.json_form if verify.is_json(req.query) else twilio.parse_form
        return read(req.body), None
    except PermanentError as exc:
        return twilio.Form([], {}), rejected(exc)


def _base(account: Account, settings: VoiceSettings) -> str:
    value = account.settings.get("webhook_url")
    return value if isinstance(value, str) and value else settings.twilio_webhook_url
