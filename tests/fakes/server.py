"""What both fakes share: the HTTP plumbing, a request log, fault injection and added latency.

A subclass names each request's operation (`operation_of`) and answers it (`dispatch`); the base
class times it, applies faults and latency, logs it and catches the fake's own bugs
(`internal_errors`, which the fixtures assert empty).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler
from typing import Any, Iterator
from urllib.parse import parse_qs, urlsplit

from fakes.tls import RunningServer, TestAuthority


@dataclass
class Request:
    method: str
    path: str  # without the query string
    query: dict[str, list[str]]
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> "Response":
        return cls(
            status,
            json.dumps(payload).encode(),
            {"Content-Type": "application/json;charset=UTF-8", **(headers or {})},
        )

    @classmethod
    def xml(cls, text: str | bytes, status: int = 200) -> "Response":
        data = text.encode() if isinstance(text, str) else text
        return cls(status, data, {"Content-Type": "text/xml;charset=UTF-8"})

    @classmethod
    def empty(cls, status: int = 204) -> "Response":
        return cls(status)


@dataclass
class Fault:
    """An injected failure: `times` matching requests (None: all) get it."""

    target: str | re.Pattern  # an operation name, a path prefix starting with "/", a regex, or "*"
    status: int | None = None
    retry_after: float | str | None = None
    delay: float = 0.0
    drop_connection: bool = False
    times: int | None = 1
    when: str = "before"  # "before": the request is not processed; "after": processed, then the fault
    body: Any = None
    method: str | None = None
    truncate: bool = False  # processed, then the reply's body is cut off halfway (its status kept)
    hits: int = 0

    def matches(self, request: Request, operation: str) -> bool:
        if self.method and request.method != self.method.upper():
            return False
        if isinstance(self.target, re.Pattern):
            return bool(self.target.search(request.path))
        if self.target == "*":
            return True
        if self.target.startswith("/"):
            return request.path.startswith(self.target)
        return operation == self.target


@dataclass(frozen=True)
class Call:
    """One request as the fake saw it."""

    method: str
    path: str
    query: str
    operation: str
    status: int | None  # None: the connection was dropped
    started: float
    duration: float
    headers: dict[str, str]
    fault: bool = False
    body: bytes = b""


class FakeService:
    """Base of FakeSalesforce and FakeHubSpot."""

    name = "fake"

    def __init__(self) -> None:
        self.latency = 0.0  # seconds added to every request (benchmarks)
        self.lock = threading.RLock()  # guards state; handlers run in threads
        self.rejections: list[str] = []  # requests refused as invalid against the official documents
        self.internal_errors: list[str] = []  # the fake's own bugs
        self._faults: list[Fault] = []
        self._log: list[Call] = []
        self._server: RunningServer | None = None
        # bumped by reset(): late replies from before it are neither processed nor logged
        self._generation = 0

    # -- what subclasses provide -------------------------------------------------------------
    def operation_of(self, request: Request) -> str:
        raise NotImplementedError

    def dispatch(self, request: Request, operation: str) -> Response:
        raise NotImplementedError

    def fault_response(self, fault: Fault, operation: str) -> Response:
        body = fault.body if fault.body is not None else {"message": f"injected {fault.status}"}
        response = (
            Response.json(body, fault.status or 500)
            if not isinstance(body, (bytes, str))
            else Response(
                fault.status or 500,
                body.encode() if isinstance(body, str) else body,
                {"Content-Type": "text/plain"},
            )
        )
        if fault.retry_after is not None:
            response.headers["Retry-After"] = str(fault.retry_after)
        return response

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self, authority: TestAuthority) -> "FakeService":
        self._server = RunningServer(_handler_for(self), authority)
        return self

    def stop(self) -> None:
        if self._server:
            self._server.stop()
            self._server = None

    @contextmanager
    def serving(self, authority: TestAuthority) -> Iterator["FakeService"]:
        self.start(authority)
        try:
            yield self
        finally:
            self.stop()

    @property
    def url(self) -> str:
        assert self._server, "the fake is not running"
        return self._server.url

    @property
    def port(self) -> int:
        assert self._server, "the fake is not running"
        return self._server.port

    # -- test API -------------------------------------------------------------------------------
    def inject(
        self,
        target: str | re.Pattern,
        *,
        status: int | None = None,
        retry_after: float | str | None = None,
        delay: float = 0.0,
        drop_connection: bool = False,
        times: int | None = 1,
        when: str = "before",
        body: Any = None,
        method: str | None = None,
        truncate: bool = False,
    ) -> Fault:
        """Make the next `times` requests matching `target` fail (or be slow).

        target: an operation name (see the fake's docstring), a path prefix ("/services/data"), a
        compiled regex over the path, or "*". status: reply with it (plus Retry-After when given);
        drop_connection: close the socket without a reply; delay: sleep first (alone: a slow reply);
        when="after": the request is processed first, then the fault replaces its reply; truncate: the
        request is processed and its reply arrives cut off halfway (a malformed 200).
        """
        if when not in ("before", "after"):
            raise ValueError("when must be 'before' or 'after'")
        fault = Fault(
            target, status, retry_after, delay, drop_connection, times, when, body, method, truncate
        )
        with self.lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self.lock:
            self._faults.clear()

    def calls(
        self, operation: str | None = None, *, method: str | None = None, path: str | None = None
    ) -> list[Call]:
        """The request log, optionally filtered by operation, method and path prefix."""
        with self.lock:
            log = list(self._log)
        return [
            c
            for c in log
            if (operation is None or c.operation == operation)
            and (method is None or c.method == method.upper())
            and (path is None or c.path.startswith(path))
        ]

    def count(self, operation: str | None = None, **kwargs) -> int:
        return len(self.calls(operation, **kwargs))

    def clear_log(self) -> None:
        with self.lock:
            self._log.clear()

    def _reset_common(self) -> None:
        """The part of reset() every fake shares (call with the lock held)."""
        self._generation += 1
        self.clear_faults()
        self.clear_log()
        self.rejections.clear()
        self.internal_errors.clear()
        self.latency = 0.0

    def reject(self, message: str) -> None:
        with self.lock:
            self.rejections.append(message)

    # -- request handling --------------------------------------------------------------------------
    def _take_fault(self, request: Request, operation: str) -> Fault | None:
        with self.lock:
            for fault in self._faults:
                if fault.matches(request, operation):
                    fault.hits += 1
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def _answer(self, request: Request) -> Response | None:
        """The reply, or None to drop the connection; logs the call."""
        started = time.monotonic()
        generation = self._generation
        try:
            operation = self.operation_of(request)
        except Exception:  # noqa: BLE001 - a fake's bug must not hide behind a client error
            operation = "?"
        if self.latency:
            time.sleep(self.latency)
        fault = self._take_fault(request, operation)
        response: Response | None
        if fault and fault.when == "before" and (fault.status or fault.drop_connection):
            time.sleep(fault.delay)
            response = None if fault.drop_connection else self.fault_response(fault, operation)
        else:
            if fault and fault.when == "before":
                time.sleep(fault.delay)
            if generation != self._generation:
                return None  # the fake was reset while this request waited: it belongs to a finished test
            response = self._dispatch_safely(request, operation)
            if fault and fault.when == "after":
                time.sleep(fault.delay)
                if fault.drop_connection:
                    response = None
                elif fault.status:
                    response = self.fault_response(fault, operation)
            if fault and fault.truncate and response is not None:
                cut = response.body[: len(response.body) // 2]
                response = Response(response.status, cut, response.headers)
        call = Call(
            request.method,
            request.path,
            urlsplit_query(request),
            operation,
            response.status if response else None,
            started,
            time.monotonic() - started,
            dict(request.headers.items()),
            fault is not None,
            request.body,
        )
        with self.lock:
            if generation == self._generation:
                self._log.append(call)
        return response

    def _dispatch_safely(self, request: Request, operation: str) -> Response:
        try:
            return self.dispatch(request, operation)
        except Exception:  # noqa: BLE001
            detail = traceback.format_exc()
            with self.lock:
                self.internal_errors.append(f"{request.method} {request.path}: {detail}")
            return Response.json({"message": "fake internal error", "detail": detail}, 500)


def urlsplit_query(request: Request) -> str:
    return "&".join(f"{k}={v}" for k, values in request.query.items() for v in values)


def _handler_for(service: FakeService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = 1 << 16  # headers and body leave in one write, flushed after each request

        def log_message(self, format, *args) -> None:  # noqa: A002 - stdlib signature
            pass

        def _handle(self) -> None:
            parts = urlsplit(self.path)
            request = Request(
                self.command,
                parts.path,
                parse_qs(parts.query, keep_blank_values=True),
                self.headers,
                self._read_body(),
            )
            response = service._answer(request)
            if response is None:
                self._drop()
                return
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        def _read_body(self) -> bytes:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int(self.rfile.readline().strip() or b"0", 16)
                    if size == 0:
                        self.rfile.readline()
                        return b"".join(chunks)
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _drop(self) -> None:
            self.close_connection = True
            try:
                self.wfile.flush()
                self.connection.unwrap()  # close_notify first: the client sees a clean hang-up
            except (OSError, ValueError):
                pass
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

    return Handler
