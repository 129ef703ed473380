"""The one exception for a write the product's rules do not allow.

Record-keeping (scans, greeting checks, inspections, photos, shifts) raises :class:`Refused`;
the views turn it into the one JSON error shape with ``api.errors.refuse``. No Flask here."""


class Refused(Exception):
    """A refusal with a stable ``reason`` (the error code clients switch on), a ``message`` for
    people (English, or Chinese and English together), its Chinese half ``message_zh`` where a
    caller keeps the two apart (the scan outcomes), per-field ``errors`` in the error shape's
    ``{location: {field: [message]}}`` (None: none of its own) and the HTTP ``status``."""

    def __init__(
        self,
        reason: str,
        message: str,
        *,
        message_zh: str = "",
        errors: dict | None = None,
        status: int = 422,
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.message_zh = message_zh
        self.errors = errors
        self.status = status
