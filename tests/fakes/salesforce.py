"""FakeSalesforce: a stateful Salesforce org on 127.0.0.1 for the real simple-salesforce client.

Endpoints: partner SOAP login (/services/Soap/u/<v>), OAuth JWT bearer (/services/oauth2/token),
the Metadata API (/services/Soap/m/<v>/..., see salesforce_metadata), REST and Bulk API 2.0
(/services/data/v<v>/..., see salesforce_rest; DeployRequest Tooling queries: salesforce_deploy_requests).

Operation names for `inject()` and `calls()`: login, oauth_token, the SOAP operation (deploy,
checkDeployStatus, retrieve, checkRetrieveStatus, readMetadata, listMetadata, describeMetadata,
createMetadata, updateMetadata, upsertMetadata, deleteMetadata) and the REST names listed in
salesforce_rest.

    fake = FakeSalesforce().start(authority)
    sf = Salesforce(session_id=fake.session_id, instance_url=fake.url, version="63.0")
    fake.org.add_record("Opportunity", Name="Acme", StageName="Closed Won")
    fake.inject("checkDeployStatus", status=503, times=2)
    fake.count("readMetadata")
"""

from __future__ import annotations

import secrets
from html import unescape

from fakes import salesforce_deploy_requests as deploy_requests
from fakes import soap
from fakes.salesforce_metadata import MetadataApi
from fakes.salesforce_org import SalesforceOrg
from fakes.salesforce_rest import RestApi, error
from fakes.server import FakeService, Fault, Request, Response
from fakes.soap import PARTNER

JWT_AUDIENCES = ("https://login.salesforce.com", "https://test.salesforce.com")
SOAP_OPERATIONS = {
    "login",
    "deploy",
    "checkDeployStatus",
    "retrieve",
    "checkRetrieveStatus",
    "readMetadata",
    "listMetadata",
    "describeMetadata",
    "createMetadata",
    "updateMetadata",
    "upsertMetadata",
    "deleteMetadata",
    "metadata",
}


class FakeSalesforce(FakeService):
    name = "salesforce"

    def __init__(self, *, sandbox: bool = True, api_version: str = "63.0"):
        super().__init__()
        self.sandbox = sandbox
        self.api_version = api_version
        self.users: dict[str, tuple[str, str]] = {}  # username -> (password, security token)
        self.connected_apps: dict[str, bytes] = {}  # consumer key -> RSA public key (PEM)
        self._initial_state()

    def _initial_state(self) -> None:
        self.org = SalesforceOrg(sandbox=self.sandbox)
        self.sessions: set[str] = set()
        # Ready for Salesforce(session_id=..., instance_url=...); it stays valid across reset().
        self.session_id = getattr(self, "session_id", None) or self.issue_session()
        self.sessions.add(self.session_id)
        self.logins: list[dict] = []  # {"flow": "password"|"jwt", "username", "audience"}
        self.deploy_polls = 1  # checkDeployStatus answers InProgress this many times before finishing
        self.retrieve_polls = 0
        self.bulk_polls = 1
        self.deploy_history: list = []  # finished deploy jobs, oldest first
        self.metadata = MetadataApi(self)
        self.rest = RestApi(self)

    def reset(self, *, sandbox: bool | None = None) -> None:
        """A fresh org, logs and faults; users, connected apps and `session_id` stay; other sessions end."""
        with self.lock:
            if sandbox is not None:
                self.sandbox = sandbox
            self._initial_state()
            self._reset_common()

    # -- credentials --------------------------------------------------------------------------------
    def issue_session(self) -> str:
        session = f"{self.org.org_id[:15]}!AQ{secrets.token_urlsafe(40)}"
        self.sessions.add(session)
        return session

    def valid_session(self, session: str | None) -> bool:
        return session in self.sessions

    def expire_sessions(self) -> None:
        self.sessions.clear()

    def add_user(self, username: str, password: str, security_token: str = "") -> None:
        self.users[username] = (password, security_token)

    def add_connected_app(self, consumer_key: str, public_key_pem: bytes) -> None:
        self.connected_apps[consumer_key] = public_key_pem

    def settle(self) -> None:
        """Finish every deploy still in progress, as the org would without being polled."""
        with self.lock:
            for job in self.metadata.deploys.values():
                if not job.done:
                    self.metadata.complete(job)

    # -- routing --------------------------------------------------------------------------------------
    def operation_of(self, request: Request) -> str:
        path = request.path
        if path.startswith("/services/Soap/m/"):
            return soap.operation_name(request.body) or "metadata"
        if path.startswith("/services/Soap/u/"):
            return "login"
        if path == "/services/oauth2/token":
            return "oauth_token"
        if path.startswith("/services/data"):
            return self.rest.operation_of(request)
        return "unknown"

    def dispatch(self, request: Request, operation: str) -> Response:
        path = request.path
        if path.startswith("/services/Soap/m/"):
            return self.metadata.handle(request)
        if operation == "login":
            return self._soap_login(request)
        if operation == "oauth_token":
            return self._oauth_token(request)
        if path.startswith("/services/data"):
            if operation != "versions" and not self._bearer_ok(request):
                return error(401, "INVALID_SESSION_ID", "Session expired or invalid")
            if operation == "tooling.query" and deploy_requests.is_deploy_request_query(request):
                return deploy_requests.answer(self, request, self.api_version)
            return self.rest.handle(request, operation)
        return error(404, "NOT_FOUND", f"The requested resource does not exist: {path}")

    def fault_response(self, fault: Fault, operation: str) -> Response:
        if fault.body is not None:
            return super().fault_response(fault, operation)
        if operation in SOAP_OPERATIONS:
            # The SOAP endpoints answer with faults (Salesforce's code for the condition), even for limits.
            code = "REQUEST_LIMIT_EXCEEDED" if fault.status == 429 else "SERVER_UNAVAILABLE"
            response = soap.fault_response(f"sf:{code}", f"{code}: injected", fault.status or 500)
        elif fault.status == 429:
            response = error(429, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        else:
            response = error(fault.status or 500, "SERVER_UNAVAILABLE", "Injected server error")
        if fault.retry_after is not None:
            response.headers["Retry-After"] = str(fault.retry_after)
        return response

    def _bearer_ok(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        return header.startswith("Bearer ") and self.valid_session(header[len("Bearer ") :])

    # -- logins -----------------------------------------------------------------------------------------
    def _soap_login(self, request: Request) -> Response:
        # The partner WSDL is not among the reference documents, so the login envelope is checked by hand.
        try:
            _headers, body = soap.parse(request.body)
        except soap.SoapError as exc:
            self.reject(f"login: {exc.message}")
            return soap.fault_response(exc.code, exc.message)
        if body.tag != f"{{{PARTNER}}}login":
            self.reject(f"login: unexpected body element {body.tag}")
            return soap.fault_response("soapenv:Client", f"Unexpected element {body.tag}")
        username = unescape(body.findtext(f"{{{PARTNER}}}username") or "")
        password = unescape(body.findtext(f"{{{PARTNER}}}password") or "")
        known = self.users.get(username)
        if not known or password != known[0] + known[1]:
            return soap.login_fault(
                "INVALID_LOGIN", "Invalid username, password, security token; or user locked out."
            )
        session = self.issue_session()
        self.logins.append({"flow": "password", "username": username})
        version = request.path.rstrip("/").rsplit("/", 1)[-1]
        server_url = f"{self.url}/services/Soap/u/{version}/{self.org.org_id[:15]}"
        result = soap.element(
            "result",
            namespace=PARTNER,
            metadataServerUrl=f"{self.url}/services/Soap/m/{version}/{self.org.org_id[:15]}",
            passwordExpired=False,
            sandbox=self.sandbox,
            serverUrl=server_url,
            sessionId=session,
            userId=self.org.user_id,
        )
        return Response.xml(soap.envelope(soap.element("loginResponse", result, namespace=PARTNER), PARTNER))

    def _oauth_token(self, request: Request) -> Response:
        from urllib.parse import parse_qs

        import jwt

        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return Response.json(
                {"error": "unsupported_grant_type", "error_description": "grant type not supported"}, 400
            )
        assertion = form.get("assertion", "")
        try:
            claims = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            return Response.json({"error": "invalid_grant", "error_description": "invalid assertion"}, 400)
        key = self.connected_apps.get(claims.get("iss", ""))
        if key is None:
            return Response.json(
                {"error": "invalid_client_id", "error_description": "client identifier invalid"}, 400
            )
        try:
            jwt.decode(assertion, key, algorithms=["RS256"], audience=list(JWT_AUDIENCES))
        except jwt.ExpiredSignatureError:
            return Response.json(
                {"error": "invalid_grant", "error_description": "expired authorization code"}, 400
            )
        except jwt.PyJWTError as exc:
            return Response.json(
                {"error": "invalid_grant", "error_description": f"invalid assertion: {exc}"}, 400
            )
        if claims.get("sub") not in self.users:
            return Response.json(
                {"error": "invalid_grant", "error_description": "user hasn't approved this consumer"}, 400
            )
        self.logins.append({"flow": "jwt", "username": claims["sub"], "audience": claims.get("aud")})
        return Response.json(
            {
                "access_token": self.issue_session(),
                "scope": "api",
                "instance_url": self.url,
                "id": f"{self.url}/id/{self.org.org_id}/{self.org.user_id}",
                "token_type": "Bearer",
            }
        )
