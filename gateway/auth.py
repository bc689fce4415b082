"""Who is calling: a request's Authorization header turned into a Principal.

A bearer value is either a JWT, verified against the one configured key source,
or a static API token looked up in the tenant store. Either way a principal's
scopes never exceed those of its tenant's Stripe integration.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from pydantic import SecretStr

from gateway.config import ConfigError, Settings
from gateway.tenants import TenantDirectory
from resolvers.context import Principal
from resolvers.errors import GatewayError
from resolvers.scopes import ScopeError, Scopes, parse_scope

logger = logging.getLogger(__name__)

REALM = "stripe-gateway"
API_TOKEN_PREFIX = "sgw_"
# Clock drift tolerated between the token issuer and the gateway.
LEEWAY_SECONDS = 30

RSA_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
EC_ALGORITHMS = {
    "secp256r1": "ES256",
    "secp384r1": "ES384",
    "secp521r1": "ES512",
    "secp256k1": "ES256K",
}
ASYMMETRIC_ALGORITHMS = (*RSA_ALGORITHMS, *EC_ALGORITHMS.values(), "EdDSA")
# The shortest secret each HMAC algorithm may use (RFC 7518, section 3.2).
HMAC_MINIMUM_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}
RSA_MINIMUM_BITS = 2048

PublicKey = (
    rsa.RSAPublicKey
    | ec.EllipticCurvePublicKey
    | ed25519.Ed25519PublicKey
    | ed448.Ed448PublicKey
)

# Characters RFC 6750 allows inside error_description.
_DESCRIPTION_CHARS = frozenset(chr(c) for c in range(0x20, 0x7F)) - {'"', "\\"}

_TOKEN_PROBLEMS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "token has expired"),
    (jwt.ImmatureSignatureError, "token is not valid yet (its nbf or iat)"),
    (jwt.InvalidAudienceError, "token is meant for another audience"),
    (jwt.InvalidIssuerError, "token comes from another issuer"),
    (jwt.InvalidIssuedAtError, "token's issue time (iat) is in the future"),
    (jwt.InvalidAlgorithmError, "token's signing algorithm is not accepted"),
    (jwt.InvalidSignatureError, "token signature is invalid"),
    (jwt.InvalidKeyError, "token is signed with a key the gateway does not accept"),
    (jwt.PyJWKClientError, "token's key id (kid) matches no published signing key"),
    (jwt.DecodeError, "token is malformed"),
)


class AuthenticationFailed(GatewayError):
    """No acceptable credentials: the request is answered with HTTP 401.

    ``error`` is the RFC 6750 error code: ``invalid_token`` when a token was
    given and refused, ``invalid_request`` for a malformed header, and ``None``
    when the request carried no credentials at all.
    """

    code = "UNAUTHENTICATED"

    def __init__(self, message: str, *, error: str | None = "invalid_token") -> None:
        super().__init__(message)
        self.error = error

    @property
    def www_authenticate(self) -> str:
        """The ``WWW-Authenticate`` header value for the 401 response."""
        challenge = f'Bearer realm="{REALM}"'
        if self.error is None:
            return challenge
        description = "".join(c for c in self.message if c in _DESCRIPTION_CHARS)
        return f'{challenge}, error="{self.error}", error_description="{description}"'


class Authenticator:
    """Turns request headers into a Principal, or raises AuthenticationFailed."""

    def __init__(self, settings: Settings, directory: TenantDirectory) -> None:
        self._settings = settings
        self._directory = directory
        self._key: bytes | PublicKey | None = None
        self._jwks: jwt.PyJWKClient | None = None
        self._algorithms: tuple[str, ...] = ()
        self._load_key_source(settings)

    @property
    def anonymous_allowed(self) -> bool:
        """Whether a request without a token acts as the default tenant."""
        return not self._settings.jwt_configured and not self._settings.production

    def describe(self) -> str:
        """One line for the start-up banner on how callers authenticate."""
        settings = self._settings
        mode = "production" if settings.production else "development"
        if self.anonymous_allowed:
            scopes = _describe_scopes(settings.default_scopes)
            return (
                f"{mode}: requests without a token act as tenant "
                f"'{settings.gateway_default_tenant}' with {scopes}; "
                "API tokens are honoured"
            )
        if not settings.jwt_configured:
            return f"{mode}: every request needs an API token (Bearer sgw_...)"
        checks = "".join(
            f", {name} '{value}'"
            for name, value in (
                ("issuer", settings.gateway_jwt_issuer),
                ("audience", settings.gateway_jwt_audience),
            )
            if value
        )
        return (
            f"{mode}: every request needs a bearer token: an API token, or a JWT "
            f"signed with {self._describe_key()} ({', '.join(self._algorithms)})"
            f"{checks}"
        )

    async def authenticate(self, headers: Mapping[str, str]) -> Principal:
        token = _bearer_token(headers)
        if token is None:
            return self._anonymous()
        header = None if token.startswith(API_TOKEN_PREFIX) else _jwt_header(token)
        if header is None:
            return await self._from_api_token(token)
        return await self._from_jwt(token, header)

    def _anonymous(self) -> Principal:
        if not self.anonymous_allowed:
            raise AuthenticationFailed(
                "missing Authorization header: send 'Bearer <token>'", error=None
            )
        settings = self._settings
        logger.debug("anonymous request as tenant %s", settings.gateway_default_tenant)
        return Principal(settings.gateway_default_tenant, settings.default_scopes)

    async def _from_api_token(self, token: str) -> Principal:
        api_token = await self._directory.find_api_token(token)
        if api_token is None:
            raise AuthenticationFailed("unknown API token")
        return await self._principal(api_token.tenant_id, api_token.scopes)

    async def _from_jwt(self, token: str, header: Mapping[str, Any]) -> Principal:
        if not self._algorithms:
            raise AuthenticationFailed(
                "JWTs are not accepted: no JWT key is configured; use an API token"
            )
        # Refuse early, before a JWKS lookup: `none` and HMAC-with-a-public-key
        # never reach PyJWT.
        if header.get("alg") not in self._algorithms:
            raise AuthenticationFailed("token's signing algorithm is not accepted")

        claims = self._decode(token, await self._signing_key(token))

        tenant_claim = self._settings.gateway_jwt_tenant_claim
        tenant_id = claims.get(tenant_claim)
        if not isinstance(tenant_id, str) or not tenant_id:
            raise AuthenticationFailed(f"token has no '{tenant_claim}' claim")
        return await self._principal(tenant_id, self._token_scopes(claims))

    async def _principal(self, tenant_id: str, scopes: Scopes) -> Principal:
        settings = self._settings
        # The default tenant acts with the environment's key (or the sandbox's)
        # and its scopes, as Tenancy resolves it, before any stored integration.
        has_default_key = settings.stripe_api_key is not None or not settings.production
        if tenant_id == settings.gateway_default_tenant and has_default_key:
            return Principal(tenant_id, scopes.intersect(settings.default_scopes))
        integration = await self._directory.integration(tenant_id)
        if integration is None:
            raise AuthenticationFailed(
                f"no Stripe integration for tenant '{tenant_id}'"
            )

        logger.debug("authenticated tenant %s", tenant_id)
        return Principal(tenant_id, scopes.intersect(integration.scopes))

    async def _signing_key(self, token: str) -> bytes | PublicKey | jwt.PyJWK:
        if self._jwks is None:
            assert self._key is not None
            return self._key
        try:
            # PyJWKClient fetches with urllib; keep that off the event loop.
            return await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)
        except jwt.PyJWKClientConnectionError:
            logger.warning("could not fetch the JWKS from %s", self._jwks.uri)
            raise AuthenticationFailed(
                "the token issuer's signing keys could not be fetched; try again"
            ) from None
        except jwt.PyJWTError as exc:
            raise AuthenticationFailed(_token_problem(exc)) from None

    def _decode(self, token: str, key: bytes | PublicKey | jwt.PyJWK) -> dict[str, Any]:
        settings = self._settings
        issuer, audience = settings.gateway_jwt_issuer, settings.gateway_jwt_audience
        required = ["exp"] + ["iss"] * bool(issuer) + ["aud"] * bool(audience)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=list(self._algorithms),
                issuer=issuer,
                audience=audience,
                leeway=LEEWAY_SECONDS,
                options={
                    "require": required,
                    "verify_aud": audience is not None,
                    "enforce_minimum_key_length": True,
                },
            )
        except jwt.PyJWTError as exc:
            raise AuthenticationFailed(_token_problem(exc)) from None
        return claims

    def _token_scopes(self, claims: Mapping[str, Any]) -> Scopes:
        claim = self._settings.gateway_jwt_scopes_claim
        if claim is None:
            claim = "permissions" if "permissions" in claims else "scope"
        value = claims.get(claim)
        if value is None:
            return Scopes.none()
        if isinstance(value, str):
            return _known_scopes(value.split())
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return _known_scopes(value)
        raise AuthenticationFailed(
            f"token's '{claim}' claim must be a string or a list of strings"
        )

    def _load_key_source(self, settings: Settings) -> None:
        sources = [
            settings.gateway_jwt_jwks_url,
            settings.gateway_jwt_public_key,
            settings.gateway_jwt_secret,
        ]
        if sum(source is not None for source in sources) > 1:
            raise ConfigError(
                [
                    "GATEWAY_JWT_JWKS_URL, GATEWAY_JWT_PUBLIC_KEY, "
                    "GATEWAY_JWT_SECRET: set only one of them"
                ]
            )
        if settings.gateway_jwt_jwks_url is not None:
            self._jwks = jwt.PyJWKClient(
                str(settings.gateway_jwt_jwks_url),
                timeout=10,
                headers={"User-Agent": "stripe-gateway"},
            )
            self._algorithms = ASYMMETRIC_ALGORITHMS
        elif settings.gateway_jwt_public_key is not None:
            self._key = _public_key(settings.gateway_jwt_public_key)
            self._algorithms = _public_key_algorithms(self._key)
        elif settings.gateway_jwt_secret is not None:
            self._key = _secret(settings.gateway_jwt_secret)
            self._algorithms = tuple(
                name
                for name, minimum in HMAC_MINIMUM_BYTES.items()
                if len(self._key) >= minimum
            )

    def _describe_key(self) -> str:
        if self._jwks is not None:
            return f"a key from {self._jwks.uri}"
        if isinstance(self._key, bytes):
            return "the shared secret"
        return "the configured public key"


def _bearer_token(headers: Mapping[str, str]) -> str | None:
    value = next(
        (v for name, v in headers.items() if name.lower() == "authorization"), None
    )
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed(
            "the Authorization header must read 'Bearer <token>'",
            error="invalid_request",
        )
    return token.strip()


def _jwt_header(token: str) -> dict[str, Any] | None:
    """The token's JOSE header, or None when the token is not a JWT at all."""
    try:
        return jwt.get_unverified_header(token)
    except jwt.DecodeError:
        return None
    except jwt.InvalidTokenError:
        raise AuthenticationFailed("token is malformed") from None


def _token_problem(exc: jwt.PyJWTError) -> str:
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return f"token has no '{exc.claim}' claim"
    for kind, problem in _TOKEN_PROBLEMS:
        if isinstance(exc, kind):
            return problem
    return "token is invalid"


def _known_scopes(names: Iterable[str]) -> Scopes:
    known = []
    for name in names:
        try:
            parse_scope(name)
        except ScopeError:
            continue  # tokens may carry other applications' scopes
        known.append(name)
    return Scopes.parse(known)


def _describe_scopes(scopes: Scopes) -> str:
    if scopes == Scopes.everything():
        return "all scopes"
    if not scopes.levels:
        return "no scopes"
    return "scopes " + " ".join(scopes.names())


def _secret(secret: SecretStr) -> bytes:
    value = secret.get_secret_value().encode()
    if len(value) < HMAC_MINIMUM_BYTES["HS256"]:
        raise ConfigError(["GATEWAY_JWT_SECRET: must be at least 32 bytes long"])
    return value


def _public_key(pem: SecretStr) -> PublicKey:
    # Environment variables often carry a PEM with its newlines escaped.
    text = pem.get_secret_value().replace("\\n", "\n").strip().encode()
    if b"PRIVATE KEY" in text:
        raise ConfigError(
            ["GATEWAY_JWT_PUBLIC_KEY: must be the public key, not the private key"]
        )
    key: object
    try:
        if text.startswith(b"-----BEGIN CERTIFICATE"):
            key = x509.load_pem_x509_certificate(text).public_key()
        else:
            key = load_pem_public_key(text)
    except ValueError:
        raise ConfigError(
            ["GATEWAY_JWT_PUBLIC_KEY: not a PEM public key or certificate"]
        ) from None
    if not isinstance(key, PublicKey):
        raise ConfigError(
            ["GATEWAY_JWT_PUBLIC_KEY: must be an RSA, EC, Ed25519 or Ed448 key"]
        )
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < RSA_MINIMUM_BITS:
        raise ConfigError(
            [f"GATEWAY_JWT_PUBLIC_KEY: RSA keys need {RSA_MINIMUM_BITS} bits or more"]
        )
    return key


def _public_key_algorithms(key: PublicKey) -> tuple[str, ...]:
    if isinstance(key, rsa.RSAPublicKey):
        return RSA_ALGORITHMS
    if isinstance(key, ec.EllipticCurvePublicKey):
        algorithm = EC_ALGORITHMS.get(key.curve.name)
        if algorithm is None:
            raise ConfigError(
                [f"GATEWAY_JWT_PUBLIC_KEY: unsupported curve {key.curve.name}"]
            )
        return (algorithm,)
    return ("EdDSA",)
