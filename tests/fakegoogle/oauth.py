"""OAuth 2.0: the consent page, and the token endpoint's three grants (authorization code,
refresh token, JWT bearer for service accounts, with domain-wide delegation)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from functools import cache
from typing import Any
from urllib.parse import urlencode

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .state import Json, State

CLIENT_ID = "fake-client-id.apps.googleusercontent.com"
CLIENT_SECRET = "fake-client-secret"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
LIFETIME_S = 3599
#: google-auth puts Google's own token endpoint in a service account's JWT audience.
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
AUTH_PATH = "/o/oauth2/auth"  # Google's auth_uri is https://accounts.google.com/o/oauth2/auth
SCOPE_PREFIX = "https://www.googleapis.com/auth/"
#: What a token may do when a test does not say: every API this fake serves, wholly.
FULL_SCOPES = tuple(
    SCOPE_PREFIX + s for s in ("drive", "spreadsheets", "forms.body", "forms.responses.readonly")
)
#: Always granted with the sign-in: the consent screen has no box for them.
SIGN_IN_SCOPES = frozenset({"openid", "email", "profile", SCOPE_PREFIX + "userinfo.email",
                            SCOPE_PREFIX + "userinfo.profile"})
#: Google's words when domain-wide delegation is not authorised for the client or the scopes.
UNAUTHORIZED_CLIENT = (
    "Client is unauthorized to retrieve access tokens using this method, or client not "
    "authorized for any of the scopes requested."
)
_TIMEFRAME = (
    "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
    "Check your iat and exp values in the JWT claim."
)


class OAuthError(Exception):
    """Token endpoint errors use OAuth's own shape: {"error", "error_description"}."""

    def __init__(self, code: int, error: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.body = {"error": error, "error_description": description}


@cache
def session_key() -> rsa.RSAPrivateKey:
    """One RSA key per process (google-auth's own dependency, cryptography, makes it)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def new_refresh_token(
    state: State, email: str, scopes: tuple[str, ...] | list[str] | None = None
) -> str:
    """A refresh token for email, granted ``scopes`` (all of FULL_SCOPES when None)."""
    token = "1//fake-" + secrets.token_urlsafe(32)
    state.refresh_tokens[token] = email
    state.grants[token] = {"scopes": list(scopes or FULL_SCOPES), "app": CLIENT_ID}
    return token


def authorized_user_info(
    state: State, email: str, base_url: str, scopes: tuple[str, ...] | list[str] | None = None
) -> dict[str, Any]:
    """What `automation auth` would save after email signed in: a refresh token for here."""
    info: dict[str, Any] = {
        "type": "authorized_user",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "refresh_token": new_refresh_token(state, email, scopes),
        "token_uri": f"{base_url}/token",
    }
    if scopes is not None:
        info["scopes"] = list(scopes)
    return info


def client_secrets(base_url: str) -> dict[str, Any]:
    """An installed app's client-secrets file (as the Cloud Console downloads it) for here."""
    return {"installed": {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "auth_uri": base_url + AUTH_PATH,
        "token_uri": base_url + "/token",
        "redirect_uris": ["http://localhost"],
    }}


def consent(state: State, query: dict[str, str]) -> str:
    """The consent page, answered at once: the redirect (a URL) back to the app.

    The user is ``login_hint`` (default secretary@example.com); a test plays a user who
    unticks scopes with ``fake_untick`` (space-separated). Google's consent screen lets
    the user untick each scope but the sign-in ones (openid, email, profile).
    """
    if query.get("client_id") != CLIENT_ID:
        raise OAuthError(401, "invalid_client", "The OAuth client was not found.")
    redirect = query.get("redirect_uri", "")
    if not redirect.startswith(("http://localhost", "http://127.0.0.1")):
        raise OAuthError(400, "redirect_uri_mismatch", "Bad Request")
    if query.get("response_type") != "code":
        raise OAuthError(400, "unsupported_response_type", "Bad Request")
    asked = query.get("scope", "").split()
    if not asked:
        raise OAuthError(400, "invalid_request", "Missing required parameter: scope")
    unticked = set(query.get("fake_untick", "").split())
    granted = [s for s in asked if s not in unticked or s in SIGN_IN_SCOPES]
    code = "4/fake-" + secrets.token_urlsafe(24)
    state.auth_codes[code] = {
        "email": query.get("login_hint") or "secretary@example.com",
        "client_id": CLIENT_ID,
        "redirect_uri": redirect,
        "scopes": granted,
        "challenge": query.get("code_challenge", ""),
        "method": query.get("code_challenge_method", "plain"),
    }
    answer = {"code": code, "scope": " ".join(granted)}
    if "state" in query:
        answer["state"] = query["state"]
    return redirect + ("&" if "?" in redirect else "?") + urlencode(answer)


def _id_token(email: str, audience: str, issuer: str) -> str:
    """An ID token's shape (header.claims.signature); the project reads it unverified."""
    def part(value: Json) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    now = int(time.time())
    claims = {"iss": issuer, "aud": audience, "sub": str(abs(hash(email))), "email": email,
              "email_verified": True, "iat": now, "exp": now + LIFETIME_S}
    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part(claims)}.{part({'sig': 'fake'})}"


def register_service_account(state: State, email: str, key: rsa.RSAPrivateKey) -> None:
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    state.service_keys[email] = public.decode()


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _jwt_email(state: State, assertion: str, token_uri: str) -> tuple[str, Json]:
    try:
        header_b64, payload_b64, signature_b64 = assertion.split(".")
        header = json.loads(_b64decode(header_b64))
        payload: dict[str, Any] = json.loads(_b64decode(payload_b64))
        signature = _b64decode(signature_b64)
    except (ValueError, json.JSONDecodeError):
        raise OAuthError(400, "invalid_grant", "Invalid JWT: malformed assertion.") from None
    if header.get("alg") != "RS256":
        raise OAuthError(400, "invalid_grant", "Invalid JWT: only RS256 is accepted.")
    email = payload.get("iss", "")
    pem = state.service_keys.get(email)
    if pem is None:
        raise OAuthError(400, "invalid_grant", "Invalid grant: account not found")
    public = serialization.load_pem_public_key(pem.encode())
    try:
        assert isinstance(public, rsa.RSAPublicKey)
        public.verify(
            signature,
            f"{header_b64}.{payload_b64}".encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except InvalidSignature:
        raise OAuthError(400, "invalid_grant", "Invalid JWT Signature.") from None
    now = time.time()
    if payload.get("aud") not in (token_uri, GOOGLE_TOKEN_URI):
        raise OAuthError(
            400,
            "invalid_grant",
            _TIMEFRAME,
        )
    if not (payload.get("iat", 0) - 300 <= now <= payload.get("exp", 0) + 300):
        raise OAuthError(
            400,
            "invalid_grant",
            _TIMEFRAME,
        )
    if not payload.get("scope"):
        raise OAuthError(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.")
    scopes = str(payload["scope"]).split()
    subject = payload.get("sub")
    if subject and subject != email:
        # Domain-wide delegation: the Workspace admin must have authorised this client for
        # every scope asked (Admin console → Security → API controls → Domain-wide delegation).
        allowed = set(state.delegations.get(email, []))
        if not set(scopes) <= allowed:
            raise OAuthError(401, "unauthorized_client", UNAUTHORIZED_CLIENT)
        return str(subject), {"scopes": scopes, "app": email, "robot": False}
    return email, {"scopes": scopes, "app": email, "robot": True}


def token(state: State, form: dict[str, str], token_uri: str) -> dict[str, Any]:
    """Answer POST /token for the two grants the project uses."""
    grant = form.get("grant_type")
    extra: dict[str, Any] = {}
    client = (form.get("client_id"), form.get("client_secret"))
    if grant in ("refresh_token", "authorization_code") and client != (CLIENT_ID, CLIENT_SECRET):
        raise OAuthError(401, "invalid_client", "The OAuth client was not found.")
    if grant == "refresh_token":
        refresh = form.get("refresh_token", "")
        email = state.refresh_tokens.get(refresh)
        if email is None:
            raise OAuthError(400, "invalid_grant", "Token has been expired or revoked.")
        given = state.grants.get(refresh) or {"scopes": list(FULL_SCOPES), "app": CLIENT_ID}
        scopes = list(given["scopes"])
        if form.get("scope"):  # a refresh may narrow the grant, never widen it
            asked = form["scope"].split()
            if not set(asked) <= set(scopes):
                raise OAuthError(400, "invalid_scope", "Bad Request")
            scopes = asked
        issued: Json = {"scopes": scopes, "app": given.get("app", CLIENT_ID), "robot": False}
    elif grant == "authorization_code":
        email, issued = _exchange(state, form)
        extra = {
            "refresh_token": new_refresh_token(state, email, issued["scopes"]),
            "id_token": _id_token(email, CLIENT_ID, token_uri.rsplit("/", 1)[0]),
        }
    elif grant == JWT_GRANT:
        email, issued = _jwt_email(state, form.get("assertion", ""), token_uri)
    else:
        raise OAuthError(400, "unsupported_grant_type", f"Invalid grant_type: {grant}")
    return {
        "access_token": state.issue_token(email, issued),
        "expires_in": LIFETIME_S,
        "token_type": "Bearer",
        "scope": " ".join(issued["scopes"]),
        **extra,
    }


def _exchange(state: State, form: dict[str, str]) -> tuple[str, Json]:
    """An authorization code, once, for its tokens (checked as Google checks it, PKCE too)."""
    code = state.auth_codes.pop(form.get("code", ""), None)
    if code is None:
        raise OAuthError(400, "invalid_grant", "Malformed auth code.")
    if form.get("redirect_uri") != code["redirect_uri"]:
        raise OAuthError(400, "redirect_uri_mismatch", "Bad Request")
    if code["challenge"]:
        verifier = form.get("code_verifier", "")
        if code["method"] == "S256":
            digest = hashlib.sha256(verifier.encode()).digest()
            expected = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        else:
            expected = verifier
        if expected != code["challenge"]:
            raise OAuthError(400, "invalid_grant", "Invalid code verifier.")
    return str(code["email"]), {"scopes": code["scopes"], "app": CLIENT_ID, "robot": False}
