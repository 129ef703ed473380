"""Photos in an S3-compatible bucket: Aliyun OSS, Tencent COS, Huawei OBS, MinIO, AWS S3.

The same content-addressed keys as the files under ``instance/photos`` (``ab/cd/<sha256>.jpg``,
see models/files/storage.py), so an object is written once and never changed: a retried upload
writes the same bytes under the same key, and two app servers can never disagree about what a
key holds. Several app servers share one bucket; a photo uploaded through one is served by
any other.

Settings (``XUNJIAN_*``, see api/config.py): ``PHOTO_STORE=s3``, ``S3_ENDPOINT`` (e.g.
``https://oss-cn-hangzhou.aliyuncs.com``; unset for AWS), ``S3_BUCKET``, ``S3_REGION``,
``S3_ACCESS_KEY`` / ``S3_SECRET_KEY`` (unset: boto3's own chain — ``AWS_*`` variables, an
instance role), ``S3_ADDRESSING`` (``virtual``: ``https://bucket.endpoint/key``, which OSS and
COS require; ``path``: ``https://endpoint/bucket/key``, MinIO's default). The secret key is
handed to boto3 only: it is never logged, and nothing returns it.

Two choices keep S3-compatible stores other than AWS working with current boto3: request
checksums only where an operation requires them (boto3 >= 1.36 adds CRC32 trailers to every
upload by default, which several of these stores refuse), and Signature Version 4.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import BinaryIO

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from models.files.storage import check_key, is_key, make_key

ADDRESSING_STYLES = ("virtual", "path")
_MISSING = {"404", "NoSuchKey", "NotFound"}


class ObjectStoreError(Exception):
    """The object store is misconfigured or refused a request."""


class ObjectStorage:
    """Content-addressed objects in one bucket (the interface of ``FileStorage``)."""

    kind = "s3"

    def __init__(
        self,
        bucket: str,
        *,
        endpoint: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        addressing: str = "virtual",
        connect_timeout: float = 5,
        read_timeout: float = 30,
    ) -> None:
        if not bucket:
            raise ObjectStoreError("XUNJIAN_S3_BUCKET is not set")
        if addressing not in ADDRESSING_STYLES:
            raise ObjectStoreError(
                f"XUNJIAN_S3_ADDRESSING must be 'virtual' or 'path', not {addressing!r}"
            )
        if bool(access_key) != bool(secret_key):
            raise ObjectStoreError("set both XUNJIAN_S3_ACCESS_KEY and XUNJIAN_S3_SECRET_KEY")
        self.bucket = bucket
        self.endpoint = endpoint or None
        self.region = region or None
        self.addressing = addressing
        config = BotoConfig(
            signature_version="s3v4",
            s3={"addressing_style": addressing},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"max_attempts": 3, "mode": "standard"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            max_pool_connections=16,
        )
        # A client of its own session: boto3's default session is shared module state.
        session = boto3.session.Session()
        self._client = session.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id=access_key or None,
            aws_secret_access_key=secret_key or None,
            config=config,
        )

    @classmethod
    def from_config(cls, config: Mapping) -> ObjectStorage:
        def text(name: str) -> str | None:
            # from_prefixed_env parses values as JSON: a numeric key would arrive as a number.
            value = config.get(name)
            return None if value in (None, "") else str(value)

        return cls(
            text("S3_BUCKET") or "",
            endpoint=text("S3_ENDPOINT"),
            region=text("S3_REGION"),
            access_key=text("S3_ACCESS_KEY"),
            secret_key=text("S3_SECRET_KEY"),
            addressing=(text("S3_ADDRESSING") or "virtual").lower(),
        )

    def __repr__(self) -> str:  # never the credentials
        return f"ObjectStorage(bucket={self.bucket!r}, endpoint={self.endpoint!r})"

    def describe(self) -> dict:
        """Where the objects are, for a backup's manifest (no credentials)."""
        return {"store": self.kind, "endpoint": self.endpoint, "bucket": self.bucket}

    def put(self, data: bytes, suffix: str) -> str:
        """Store ``data`` and return its key. Idempotent: the same bytes give the same key, and
        a PUT is atomic (readers see no object or the whole object)."""
        key = make_key(data, suffix)
        self._client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType="image/jpeg" if suffix in (".jpg", ".jpeg") else "application/octet-stream",
        )
        return key

    def open(self, key: str) -> tuple[BinaryIO, int]:
        """The stored bytes as a stream to read (and close), and their size;
        FileNotFoundError when the bucket has no such object."""
        check_key(key)
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _missing(error):
                raise FileNotFoundError(key) from None
            raise
        return response["Body"], int(response["ContentLength"])

    def read(self, key: str) -> bytes:
        body, _size = self.open(key)
        try:
            return body.read()
        finally:
            body.close()

    def exists(self, key: str) -> bool:
        check_key(key)
        try:
            self._client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _missing(error):
                return False
            raise
        return True

    def delete(self, key: str) -> bool:
        """Remove an object; True if it existed (S3's DELETE itself does not say)."""
        if not self.exists(key):
            return False
        self._client.delete_object(Bucket=self.bucket, Key=key)
        return True

    def iter_keys(self) -> Iterator[str]:
        """Every stored key, listed a thousand at a time (other objects in the bucket are not
        ours and are skipped)."""
        paginator = self._client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket):
            for item in page.get("Contents", ()):
                if is_key(item["Key"]):
                    yield item["Key"]

    def missing(self, keys) -> list[str]:
        """Which of ``keys`` the bucket lacks, by one listing (a thousand keys a request)
        instead of one request per key."""
        wanted = set(keys)
        for key in self.iter_keys():
            wanted.discard(key)
            if not wanted:
                break
        return sorted(wanted)


def _missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in _MISSING
