"""A real OAuth2 authorisation server on loopback for the tests, built from authlib's server
components (authorisation code with PKCE, refresh tokens, introspection for Dovecot's
``passdb oauth2`` and aiosmtpd, revocation), served by ``http.server`` in a thread.

Accounts are the Dovecot users (alice, bob); the consent page asks which account to grant.
Helpers let a test expire access tokens or revoke every grant of an account.
"""

# mypy: disable-error-code="misc"
from __future__ import annotations

import base64
import html
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

# Loopback only, plain HTTP: authlib refuses http:// URIs unless told.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

from authlib.common.security import generate_token
from authlib.oauth2 import rfc6749, rfc6750, rfc7009, rfc7636, rfc7662
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload, OAuth2Request

ACCESS_SECONDS = 3600


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)
    auth_method: str = "client_secret_post"

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0] if self.redirect_uris else ""

    def get_allowed_scope(self, scope: str) -> str:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return not self.redirect_uris or redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == self.auth_method

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in ("authorization_code", "refresh_token")


@dataclass
class User:
    name: str

    def get_user_id(self) -> str:
        return self.name


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: str
    code_challenge: str
    code_challenge_method: str

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def is_expired(self) -> bool:
        return False


@dataclass
class Token:
    client_id: str
    user: str
    scope: str
    access_token: str
    refresh_token: str
    expires_at: float
    revoked: bool = False

    def check_client(self, client: Client) -> bool:
        return client.client_id == self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return int(self.expires_at - time.time())

    def is_expired(self) -> bool:
        return time.time() >= self.expires_at

    def is_revoked(self) -> bool:
        return self.revoked

    def get_user(self) -> User:
        return User(self.user)

    def get_client(self) -> Client:
        return STORE.clients[self.client_id]


class Store:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, Code] = {}
        self.tokens: list[Token] = []
        self.introspections: list[str] = []  # the usernames introspected (active or not)

    def by_access(self, value: str) -> Token | None:
        return next((t for t in self.tokens if t.access_token == value), None)

    def by_refresh(self, value: str) -> Token | None:
        return next((t for t in self.tokens if t.refresh_token == value), None)


STORE = Store()


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_post", "client_secret_basic"]

    def save_authorization_code(self, code: str, request: Any) -> None:
        payload = request.payload
        STORE.codes[code] = Code(
            code=code,
            client_id=request.client.client_id,
            redirect_uri=payload.redirect_uri,
            scope=payload.scope or "",
            user=request.user.name,
            code_challenge=payload.data.get("code_challenge", ""),
            code_challenge_method=payload.data.get("code_challenge_method", ""),
        )

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        found = STORE.codes.get(code)
        return found if found is not None and found.client_id == client.client_id else None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        STORE.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: Code) -> User:
        return User(authorization_code.user)


class RefreshTokenGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_post", "client_secret_basic"]
    INCLUDE_NEW_REFRESH_TOKEN = False

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        token = STORE.by_refresh(refresh_token)
        return token if token is not None and not token.revoked else None

    def authenticate_user(self, refresh_token: Token) -> User:
        return User(refresh_token.user)

    def revoke_old_credential(self, refresh_token: Token) -> None:
        pass  # the refresh token stays valid; the new access token is added


class IntrospectionEndpoint(rfc7662.IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_basic"]

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        return STORE.by_access(token_string) or STORE.by_refresh(token_string)

    def check_permission(self, token: Token, client: Client, request: Any) -> bool:
        return True

    def introspect_token(self, token: Token) -> dict[str, Any]:
        active = not token.revoked and not token.is_expired()
        STORE.introspections.append(token.user)
        return {
            "active": active,
            "username": token.user,
            "scope": token.scope,
            "client_id": token.client_id,
            "token_type": "Bearer",
            "exp": int(token.expires_at),
        }


class RevocationEndpoint(rfc7009.RevocationEndpoint):
    CLIENT_AUTH_METHODS = ["client_secret_post", "client_secret_basic"]

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        return STORE.by_refresh(token_string) or STORE.by_access(token_string)

    def revoke_token(self, token: Token, request: Any) -> None:
        token.revoked = True


class _Request(OAuth2Request):
    def __init__(self, method: str, uri: str, headers: dict[str, str], form: dict[str, str]):
        super().__init__(method, uri, headers=headers)
        self.payload = BasicOAuth2Payload(form)
        self._form = form

    @property
    def args(self) -> dict[str, str]:
        return self._form

    @property
    def form(self) -> dict[str, str]:
        return self._form


class Server(rfc6749.AuthorizationServer):
    def __init__(self) -> None:
        super().__init__(scopes_supported=None)
        self.register_grant(AuthorizationCodeGrant, [rfc7636.CodeChallenge(required=True)])
        self.register_grant(RefreshTokenGrant)
        self.register_endpoint(IntrospectionEndpoint)
        self.register_endpoint(RevocationEndpoint)
        self.register_token_generator(
            "default",
            rfc6750.BearerTokenGenerator(
                access_token_generator=lambda **_kw: generate_token(40),
                refresh_token_generator=lambda **_kw: generate_token(48),
                expires_generator=lambda _client, _grant_type: ACCESS_SECONDS,
            ),
        )

    def query_client(self, client_id: str) -> Client | None:
        return STORE.clients.get(client_id)

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        old = request.refresh_token
        STORE.tokens.append(
            Token(
                client_id=request.client.client_id,
                user=request.user.name,
                scope=token.get("scope", ""),
                access_token=token["access_token"],
                refresh_token=token.get("refresh_token") or (old.refresh_token if old else ""),
                expires_at=time.time() + token.get("expires_in", ACCESS_SECONDS),
            )
        )

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        return request  # already an OAuth2Request (built by the handler)

    def create_json_request(self, request: Any) -> Any:
        raise NotImplementedError

    def handle_response(
        self, status: int, body: Any, headers: list[tuple[str, str]]
    ) -> tuple[int, Any, list[tuple[str, str]]]:
        return status, body, headers

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass


SERVER = Server()

CONSENT = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test provider</title>
</head><body><h1>Test OAuth2 provider</h1>
<p>comptoir asks to read and send the mail of an account.</p>
<form method="post"><input type="hidden" name="query" value="{query}">
<label>Account <input name="account" value="{account}"></label>
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button></form></body></html>"""


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        return {key: values[0] for key, values in parse_qs(body).items()}

    def _uri(self) -> str:
        host, port = self.headers.get("Host", ""), ""
        return f"http://{host}{port}{self.path}"

    def _send(self, status: int, body: Any, headers: list[tuple[str, str]]) -> None:
        data = body if isinstance(body, str) else json.dumps(body)
        self.send_response(status)
        names = {name.lower() for name, _value in headers}
        for name, value in headers:
            self.send_header(name, value)
        if "content-type" not in names:
            self.send_header("Content-Type", "application/json")
        raw = data.encode()
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != "/authorize":
            self._send(404, {"error": "not_found"}, [])
            return
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        request = _Request("GET", self._uri(), dict(self.headers), query)
        try:
            SERVER.get_consent_grant(request, end_user=None)
        except rfc6749.OAuth2Error as exc:
            self._send(400, {"error": exc.error, "error_description": exc.description}, [])
            return
        page = CONSENT.format(
            query=html.escape(parts.query), account=html.escape(query.get("login_hint", ""))
        )
        self._send(200, page, [("Content-Type", "text/html; charset=utf-8")])

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        form = self._form()
        with STORE.lock:
            if parts.path == "/authorize":
                query = {key: values[0] for key, values in parse_qs(form["query"]).items()}
                request = _Request("POST", self._uri(), dict(self.headers), query)
                user = User(form["account"]) if form.get("decision") == "allow" else None
                status, body, headers = SERVER.create_authorization_response(
                    request, grant_user=user
                )
            elif parts.path in ("/token", "/introspect", "/revoke"):
                request = _Request("POST", self._uri(), dict(self.headers), form)
                if parts.path == "/token":
                    status, body, headers = SERVER.create_token_response(request)
                else:
                    name = "introspection" if parts.path == "/introspect" else "revocation"
                    status, body, headers = SERVER.create_endpoint_response(name, request)
            else:
                status, body, headers = 404, {"error": "not_found"}, []
        self._send(status, body, headers)


class OAuthServer:
    """The running server; ``url`` is its base, ``register`` adds a client."""

    def __init__(self) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        # The introspection client of Dovecot and of the SMTP test server.
        self.introspector = ("dovecot", generate_token(24))
        STORE.clients["dovecot"] = Client(
            "dovecot", self.introspector[1], auth_method="client_secret_basic"
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_port}"

    @property
    def introspection_url_with_credentials(self) -> str:
        user, secret = self.introspector
        return f"http://{user}:{secret}@127.0.0.1:{self.httpd.server_port}/introspect"

    def register(self, client_id: str, client_secret: str, redirect_uri: str) -> None:
        STORE.clients[client_id] = Client(client_id, client_secret, [redirect_uri])

    def expire(self, user: str) -> None:
        """Every access token of this account expires now (its refresh tokens stay)."""
        with STORE.lock:
            for token in STORE.tokens:
                if token.user == user:
                    token.expires_at = time.time() - 1

    def revoke(self, user: str) -> None:
        """Every grant of this account is revoked (what "Remove access" does at Google)."""
        with STORE.lock:
            for token in STORE.tokens:
                if token.user == user:
                    token.revoked = True

    def active_tokens(self, user: str) -> int:
        with STORE.lock:
            return sum(
                1 for t in STORE.tokens if t.user == user and not t.revoked and not t.is_expired()
            )

    def introspect(self, token: str) -> dict[str, Any]:
        """What the introspection endpoint says of a token (for the SMTP test server)."""
        import urllib.parse
        import urllib.request

        user, secret = self.introspector
        request = urllib.request.Request(
            f"{self.url}/introspect",
            data=urllib.parse.urlencode({"token": token}).encode(),
            headers={
                "Authorization": "Basic " + base64.b64encode(f"{user}:{secret}".encode()).decode()
            },
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            result: dict[str, Any] = json.loads(response.read())
            return result

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def new_token() -> str:
    return str(generate_token(40))
