"""Which blob store a service uses: settings (a mixin of ``ServiceSettings``) and the factory.

``HOTLINE_BLOB_STORE=file`` (the default) keeps blobs under the service's ``blob_dir``;
``s3`` puts them in ``HOTLINE_BLOB_S3_BUCKET`` at ``HOTLINE_BLOB_S3_ENDPOINT_URL`` (unset: AWS).
Access keys unset: boto3's own chain (``AWS_*`` env, profile, instance role).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, SecretStr, model_validator

from hotline.blobs.store import BlobStore, FileBlobStore


class BlobSettings(BaseModel):
    blob_store: Literal["file", "s3"] = "file"
    blob_s3_endpoint_url: str | None = None
    blob_s3_bucket: str = "hotline-blobs"
    blob_s3_region: str = "us-east-1"
    blob_s3_access_key_id: SecretStr | None = None
    blob_s3_secret_access_key: SecretStr | None = None
    blob_s3_path_style: bool = True  # most self-hosted servers want path-style addressing
    blob_s3_prefix: str = ""  # key prefix, to share a bucket

    @model_validator(mode="after")
    def _s3_keys_come_in_pairs(self) -> BlobSettings:
        pair = (self.blob_s3_access_key_id, self.blob_s3_secret_access_key)
        if (pair[0] is None) != (pair[1] is None):
            raise ValueError("blob_s3_access_key_id and blob_s3_secret_access_key go together")
        if self.blob_store == "s3" and not self.blob_s3_bucket:
            raise ValueError("blob_store=s3 needs blob_s3_bucket")
        return self

    def s3_credentials(self) -> tuple[str, str] | None:
        key, secret = self.blob_s3_access_key_id, self.blob_s3_secret_access_key
        if key is None or secret is None:
            return None
        return key.get_secret_value(), secret.get_secret_value()


def open_blob_store(settings: BlobSettings, root: Path | None) -> BlobStore:
    """The configured store; ``root`` is the directory of the file store (unused for s3)."""
    if settings.blob_store == "file":
        if root is None:
            raise ValueError("blob_store=file needs a blob_dir")
        return FileBlobStore(root)
    from hotline.blobs.s3 import S3BlobStore, s3_client  # boto3 only when asked for

    client = s3_client(
        settings.blob_s3_endpoint_url,
        settings.blob_s3_region,
        settings.s3_credentials(),
        settings.blob_s3_path_style,
    )
    return S3BlobStore(client, settings.blob_s3_bucket, settings.blob_s3_prefix)
