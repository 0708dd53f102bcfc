"""The shared plumbing: TLS with the test CA, loopback only, fault injection, latency, the request log."""

from __future__ import annotations

import socket
import time

import pytest
import requests

from fakes.server import FakeService, Request, Response
from fakes.tls import TestAuthority


class EchoService(FakeService):
    """Counts processed requests; answers {"n": count}."""

    def __init__(self):
        super().__init__()
        self.processed = 0

    def operation_of(self, request: Request) -> str:
        return request.path.strip("/").replace("/", ".") or "root"

    def reset(self) -> None:
        with self.lock:
            self._reset_common()

    def dispatch(self, request: Request, operation: str) -> Response:
        with self.lock:
            self.processed += 1
            return Response.json({"n": self.processed, "body": request.body.decode()})


@pytest.fixture
def echo(test_authority):
    service = EchoService().start(test_authority)
    yield service
    service.stop()


def test_serves_tls_on_loopback_trusted_through_the_test_ca(echo, test_authority):
    assert echo.url.startswith("https://127.0.0.1:")
    response = requests.get(echo.url + "/hello", verify=test_authority.ca_file, timeout=5)
    assert response.json()["n"] == 1
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(echo.url + "/hello", verify=True, timeout=5)  # the system CAs do not know the test CA


def test_listens_on_127_0_0_1_only(echo):
    address = echo._server._server.server_address
    assert address[0] == "127.0.0.1"


def test_stops_by_itself_and_frees_the_port(test_authority):
    service = EchoService().start(test_authority)
    port = service.port
    service.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()


def test_injected_status_with_retry_after_is_sent_then_consumed(echo, test_authority):
    fault = echo.inject("slow", status=429, retry_after=7, times=2)
    first = requests.get(echo.url + "/slow", verify=test_authority.ca_file, timeout=5)
    second = requests.get(echo.url + "/slow", verify=test_authority.ca_file, timeout=5)
    third = requests.get(echo.url + "/slow", verify=test_authority.ca_file, timeout=5)
    assert (first.status_code, first.headers["Retry-After"]) == (429, "7")
    assert second.status_code == 429 and third.status_code == 200
    assert fault.hits == 2 and echo.processed == 1  # the faulted requests were not processed


def test_dropped_connection_before_and_after_processing(echo, test_authority):
    echo.inject("/drop", drop_connection=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(echo.url + "/drop", data="x", verify=test_authority.ca_file, timeout=5)
    assert echo.processed == 0
    echo.inject("/drop", drop_connection=True, when="after")
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.post(echo.url + "/drop", data="x", verify=test_authority.ca_file, timeout=5)
    assert echo.processed == 1  # processed, but the reply was lost
    assert [c.status for c in echo.calls("drop")] == [None, None]


def test_delay_and_latency_slow_replies_down(echo, test_authority):
    echo.inject("*", delay=0.3)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(echo.url + "/x", verify=test_authority.ca_file, timeout=(2, 0.1))
    echo.latency = 0.05
    started = time.monotonic()
    requests.get(echo.url + "/x", verify=test_authority.ca_file, timeout=5)
    assert time.monotonic() - started >= 0.05
    assert echo.calls("x")[-1].duration >= 0.05


def test_request_log_counts_calls_by_operation_method_and_path(echo, test_authority):
    for path in ("/a", "/a", "/b/c"):
        requests.get(echo.url + path, verify=test_authority.ca_file, timeout=5)
    requests.post(echo.url + "/a", verify=test_authority.ca_file, timeout=5)
    assert echo.count("a") == 3
    assert echo.count("a", method="POST") == 1
    assert echo.count(path="/b") == 1
    echo.clear_log()
    assert echo.count() == 0


def test_authority_writes_a_pem_bundle():
    with TestAuthority() as authority:
        text = open(authority.ca_file).read()
    assert text.startswith("-----BEGIN CERTIFICATE-----")


def test_a_request_still_waiting_when_the_fake_is_reset_is_dropped(echo, test_authority):
    echo.inject("late", delay=0.3)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(echo.url + "/late", verify=test_authority.ca_file, timeout=(2, 0.05))
    echo.reset()  # the next test starts while the late request still sleeps
    time.sleep(0.4)
    assert echo.processed == 0 and echo.calls() == []
