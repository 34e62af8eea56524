"""App errors as JSON `{"error": {"code", "message", ...}}` with the right status."""

import errno
import logging
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from web.storable_text import NUL
from web.storage import STORAGE_ERRORS, DatabaseError
from web.storage.db import is_full, is_read_only
from web.templating import not_found_page

log = logging.getLogger("docchat")
# JSON is UTF-8 text (RFC 8259): a body of other bytes is not JSON either.
NOT_JSON = "The request body is not valid JSON."


class AppError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, **self.extra}}


class NotFound(AppError):
    def __init__(self, what: str) -> None:
        super().__init__(404, "not_found", f"{what} not found.")


class ReplyInProgress(AppError):
    def __init__(self) -> None:
        super().__init__(409, "reply_in_progress", "Wait for the current answer, or stop it.")


class MessageTooLong(AppError):
    def __init__(self, limit: int) -> None:
        super().__init__(422, "message_too_long", f"Messages can be at most {limit:,} characters.")


class FileTooLarge(AppError):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(
            413,
            "too_large",
            f"This file is larger than the {max_bytes / (1024 * 1024):g} MB limit.",
            # Close rather than read and discard whatever the client still sends.
            headers={"Connection": "close"},
        )


STORAGE_FAILURES = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the storage quota is used up",
    errno.EACCES: "it is not allowed to write to its storage",
    errno.EPERM: "it is not allowed to write to its storage",
    errno.EROFS: "its storage is read-only",
}


class StorageFailure(AppError):
    """The server could not write a file or a row: 507, saying what is left (nothing,
    unless the caller says otherwise)."""

    def __init__(
        self,
        exc: OSError | DatabaseError,
        what: str = "the file",
        outcome: str = "Nothing was saved.",
    ) -> None:
        reason = storage_reason(exc)
        super().__init__(
            507,
            "storage_error",
            f"The server could not save {what} because {reason}. {outcome} "
            "Try again later, or tell whoever runs this DocChat.",
        )
        log.error("Storage failure: %s", exc)


def storage_reason(exc: OSError | DatabaseError) -> str:
    """Why storage refused a write, in words ("the disk is full")."""
    if isinstance(exc, OSError):
        return STORAGE_FAILURES.get(exc.errno or 0, "its storage is unavailable")
    if is_read_only(exc):
        return "its database is read-only"
    if is_full(exc):
        return "the disk is full"
    return "its database is unavailable"


async def no_nul_in_path(request: Request) -> None:
    """No id holds a NUL character (PostgreSQL cannot even look one up): such a URL names
    nothing, on either database."""
    if any(NUL in value for value in request.path_params.values()):
        raise HTTPException(404)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def app_error(_: Request, exc: AppError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        if first.get("type") == "json_invalid":
            message = NOT_JSON
        else:
            where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
            message = " ".join(filter(None, ("Invalid request:", where, first.get("msg"))))
        return JSONResponse(AppError(422, "invalid_request", message).body(), status_code=422)

    async def database_failure(_: Request, exc: Exception) -> JSONResponse:
        # Any write the database refuses (read-only, full, locked): each route's change is
        # one transaction, so nothing of it was saved. (Registered for those errors only.)
        error = StorageFailure(cast(DatabaseError, exc), "your change")
        return JSONResponse(error.body(), status_code=error.status)

    for refusal in STORAGE_ERRORS:
        app.add_exception_handler(refusal, database_failure)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404 and not request.url.path.startswith("/api/"):
            return not_found_page(request)
        if isinstance(exc.__cause__, UnicodeDecodeError):  # FastAPI's 400 for a body not UTF-8
            return JSONResponse(AppError(422, "invalid_request", NOT_JSON).body(), status_code=422)
        code = "not_found" if exc.status_code == 404 else "http_error"
        body = AppError(exc.status_code, code, str(exc.detail)).body()
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)
