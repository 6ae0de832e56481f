"""OAuth 2.0 token endpoint: refresh-token and JWT-bearer (service account) grants."""

from __future__ import annotations

import base64
import json
import secrets
import time
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .state import State

CLIENT_ID = "fake-client-id.apps.googleusercontent.com"
CLIENT_SECRET = "fake-client-secret"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
LIFETIME_S = 3599
#: google-auth puts Google's own token endpoint in a service account's JWT audience.
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
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


def new_refresh_token(state: State, email: str) -> str:
    token = "1//fake-" + secrets.token_urlsafe(32)
    state.refresh_tokens[token] = email
    return token


def authorized_user_info(state: State, email: str, base_url: str) -> dict[str, str]:
    """What `automation auth` would save after email signed in: a refresh token for here."""
    return {
        "type": "authorized_user",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "refresh_token": new_refresh_token(state, email),
        "token_uri": f"{base_url}/token",
    }


def register_service_account(state: State, email: str, key: rsa.RSAPrivateKey) -> None:
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    state.service_keys[email] = public.decode()


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _jwt_email(state: State, assertion: str, token_uri: str) -> str:
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
    return email


def token(state: State, form: dict[str, str], token_uri: str) -> dict[str, Any]:
    """Answer POST /token for the two grants the project uses."""
    grant = form.get("grant_type")
    if grant == "refresh_token":
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            raise OAuthError(401, "invalid_client", "The OAuth client was not found.")
        email = state.refresh_tokens.get(form.get("refresh_token", ""))
        if email is None:
            raise OAuthError(400, "invalid_grant", "Token has been expired or revoked.")
    elif grant == JWT_GRANT:
        email = _jwt_email(state, form.get("assertion", ""), token_uri)
    else:
        raise OAuthError(400, "unsupported_grant_type", f"Invalid grant_type: {grant}")
    return {
        "access_token": state.issue_token(email),
        "expires_in": LIFETIME_S,
        "token_type": "Bearer",
        "scope": form.get("scope", "https://www.googleapis.com/auth/drive"),
    }
