"""A throw-away certificate authority and TLS-wrapped HTTP servers bound to 127.0.0.1."""

from __future__ import annotations

import socket
import ssl
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import trustme


class TestAuthority:
    """A trustme CA plus one server certificate for 127.0.0.1 and localhost.

    `ca_file` is a PEM bundle clients trust (REQUESTS_CA_BUNDLE, hubspot `ssl_ca_cert`).
    """

    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        self.ca = trustme.CA(organization_name="Handrail test CA")
        self.server_cert = self.ca.issue_cert("127.0.0.1", "localhost")
        self._folder = tempfile.TemporaryDirectory(prefix="handrail-ca-")
        self.ca_file = str(Path(self._folder.name) / "ca.pem")
        self.ca.cert_pem.write_to_path(self.ca_file)

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.server_cert.configure_cert(context)
        return context

    def close(self) -> None:
        self._folder.cleanup()

    def __enter__(self) -> "TestAuthority":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, handler: type[BaseHTTPRequestHandler], context: ssl.SSLContext):
        super().__init__(("127.0.0.1", 0), handler)
        self.tls_context = context

    def get_request(self):
        sock, address = self.socket.accept()
        # no Nagle/delayed-ACK stalls on keep-alive
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # The handshake happens on first read, in the handler's thread, so a slow client
        # cannot stall the accept loop.
        return self.tls_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request, client_address) -> None:
        pass  # clients that hang up (timeouts, dropped connections) are expected in tests


class RunningServer:
    """A TLS HTTP server on 127.0.0.1:<free port>, served from a daemon thread until stop()."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], authority: TestAuthority):
        self._server = _TLSServer(handler, authority.server_context())
        self.port = self._server.server_address[1]
        self.url = f"https://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-server-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
