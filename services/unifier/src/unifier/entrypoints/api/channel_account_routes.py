"""Channel accounts over the API, for a tenant's admins: list, get, create, update, rotate and
retire a secret, delete. Answers never carry a secret value (``channel_accounts.view``)."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Depends, Request, Response
from pydantic import BaseModel, Field, ValidationError

from hotline.accounts.sealing import Sealer
from hotline.http import Rejected
from unifier.entrypoints.api import calls
from unifier.entrypoints.api.auth import Principal, account_manager, principal
from unifier.service import channel_accounts as accounts

router = APIRouter(prefix="/api/tenants/{tenant}/channel-accounts", tags=["channel accounts"])
ONE = "/{kind}/{account_id}"


async def admin(who: Annotated[Principal, Depends(principal)]) -> Principal:
    return account_manager(who)


Admin = Annotated[Principal, Depends(admin)]
# Bodies that may carry a secret are parsed here, not by FastAPI: its 422 repeats the input
Raw = Annotated[Any, Body()]
M = TypeVar("M", bound=BaseModel)


class CreateBody(BaseModel):
    kind: str = Field(max_length=16)
    account_id: str = Field(max_length=320)
    name: str = Field(max_length=accounts.MAX_NAME * 2)
    settings: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True
    secrets: Any = None  # {name: value}, checked by the service


class UpdateBody(BaseModel):
    name: str | None = Field(None, max_length=accounts.MAX_NAME * 2)
    settings: dict[str, Any] | None = None
    enabled: bool | None = None


class SecretBody(BaseModel):
    value: Any = None  # checked by the service

    def __repr__(self) -> str:  # never in a log or a traceback
        return "SecretBody(value=***)"


def sealer(request: Request) -> Sealer | None:
    return calls.runtime(request).sealer


def documented(model: type[BaseModel]) -> dict[str, Any]:
    """The body's schema for the OpenAPI page (the route takes it raw, see ``Raw``)."""
    schema = model.model_json_schema()
    return {"requestBody": {"content": {"application/json": {"schema": schema}}}}


def parsed(model: type[M], raw: Any) -> M:
    """``raw`` as ``model``, or a 422 naming the fields (never their values)."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        where = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()
        )
        raise Rejected(422, "bad_channel_account", where) from None


@router.get("")
async def list_accounts(request: Request, who: Admin) -> list[dict[str, Any]]:
    return await calls.read(request, lambda c: accounts.listed(c, who.tenant))


@router.get(ONE)
async def get_account(request: Request, who: Admin, kind: str, account_id: str) -> dict[str, Any]:
    return await calls.read(request, lambda c: accounts.get(c, who.tenant, kind, account_id))


@router.post("", status_code=201, openapi_extra=documented(CreateBody))
async def create_account(request: Request, who: Admin, raw: Raw) -> dict[str, Any]:
    body = parsed(CreateBody, raw)
    fields = {"name": body.name, "settings": body.settings, "enabled": body.enabled}
    key = (body.kind, body.account_id)
    return await calls.write(
        request,
        who.tenant,
        lambda c: accounts.create(
            c, sealer(request), who.tenant, key, fields, accounts.checked_secrets(body.secrets)
        ),
    )


@router.patch(ONE)
async def update_account(
    request: Request, who: Admin, kind: str, account_id: str, body: UpdateBody
) -> dict[str, Any]:
    changes = body.model_dump(exclude_none=True)
    return await calls.write(
        request, who.tenant, lambda c: accounts.update(c, who.tenant, kind, account_id, changes)
    )


@router.post(ONE + "/secrets/{name}", status_code=201, openapi_extra=documented(SecretBody))
async def rotate_secret(
    request: Request, who: Admin, kind: str, account_id: str, name: str, raw: Raw
) -> dict[str, Any]:
    body = parsed(SecretBody, raw)

    def rotate(c: Any) -> Any:
        return accounts.rotate(c, sealer(request), who.tenant, (kind, account_id), name, body.value)

    return await calls.write(request, who.tenant, rotate)


@router.delete(ONE + "/secrets/{name}/{index}")
async def retire_secret(
    request: Request, who: Admin, kind: str, account_id: str, name: str, index: int
) -> dict[str, Any]:
    def retire(c: Any) -> Any:
        return accounts.retire(c, who.tenant, kind, account_id, name, index)

    return await calls.write(request, who.tenant, retire)


@router.delete(ONE, status_code=204)
async def delete_account(request: Request, who: Admin, kind: str, account_id: str) -> Response:
    await calls.write(
        request, who.tenant, lambda c: accounts.delete(c, who.tenant, kind, account_id)
    )
    return Response(status_code=204)
