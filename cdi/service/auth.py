"""Bearer tokens, roles and what each role may do.

Tokens come from a file named by ``CDI_TOKENS_FILE`` and/or from ``CDI_TOKENS`` (YAML or JSON, same shape):

    "token-for-alice": {role: cdi_specialist, name: alice}
    "token-for-dr-a": {role: physician, practitioner: Practitioner/123}
    "token-for-ehr": integrator

Roles: ``cdi_specialist`` (everything), ``physician`` (bound to one Practitioner: sees and answers only the
queries addressed to it), ``integrator`` (analyse, read, CDS Hooks), ``admin`` (everything). A request
without a known token is 401 and a role without the permission is 403, both as OperationOutcome; there is
no anonymous access except to the API documentation and the CDS Hooks discovery document.

The table keeps only SHA-256 digests of the tokens, so a token never sits in memory dumps of the app's
state or in an error message.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from cdi.service.errors import ServiceError

ENV_TOKENS = "CDI_TOKENS"
ENV_TOKENS_FILE = "CDI_TOKENS_FILE"
_PRACTITIONER = re.compile(r"^Practitioner/[A-Za-z0-9\-.]{1,64}$")


class Role(StrEnum):
    CDI_SPECIALIST = "cdi_specialist"
    PHYSICIAN = "physician"
    INTEGRATOR = "integrator"
    ADMIN = "admin"


class Permission(StrEnum):
    ANALYZE = "analyze"  # POST /$analyze (and ?persist=true)
    READ = "read"  # Task, DetectedIssue, Questionnaire, Provenance, QuestionnaireResponse (physician: own)
    MANAGE = "manage"  # $send, $cancel, $escalate
    ANSWER = "answer"  # POST /QuestionnaireResponse (physician: own only)
    REVIEW = "review"  # worklist, metrics
    CDS = "cds"  # CDS Hooks services and feedback


PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.CDI_SPECIALIST: frozenset(Permission),
    Role.ADMIN: frozenset(Permission),
    Role.PHYSICIAN: frozenset({Permission.READ, Permission.ANSWER}),
    Role.INTEGRATOR: frozenset({Permission.ANALYZE, Permission.READ, Permission.REVIEW, Permission.CDS}),
}
"""The one statement of who may do what; the README's table is this table."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: a role, a name for the audit log, and for physicians the Practitioner they are."""

    role: Role
    name: str
    practitioner: str | None = None

    @property
    def actor(self) -> str:
        """How the audit log names this caller: the Practitioner reference when bound to one."""
        return self.practitioner or f"{self.role.value}:{self.name}"

    def can(self, permission: Permission) -> bool:
        return permission in PERMISSIONS[self.role]

    @property
    def restricted_to(self) -> str | None:
        """The addressee this caller is confined to (physicians), else None (sees every query)."""
        return self.practitioner if self.role is Role.PHYSICIAN else None


class _TokenEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    name: str | None = None
    practitioner: str | None = None

    @field_validator("practitioner")
    @classmethod
    def _reference(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value if value.startswith("Practitioner/") else f"Practitioner/{value}"
        if not _PRACTITIONER.match(value):
            raise ValueError("practitioner must be a Practitioner reference (Practitioner/<id>)")
        return value


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenTable:
    """Token digests -> principals."""

    by_digest: Mapping[str, Principal] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.by_digest)

    def lookup(self, token: str) -> Principal | None:
        return self.by_digest.get(_digest(token))

    def with_token(self, token: str, principal: Principal) -> TokenTable:
        return TokenTable({**self.by_digest, _digest(token): principal})

    @classmethod
    def parse(cls, data: Any, where: str) -> TokenTable:
        """A table from the parsed YAML/JSON mapping; ValueError naming ``where`` and the entry's position
        (never the token) when an entry is wrong."""
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise ValueError(f"{where}: expected a mapping of token -> role")
        table: dict[str, Principal] = {}
        for position, (token, value) in enumerate(data.items(), start=1):
            if not isinstance(token, str) or not token.strip():
                raise ValueError(f"{where}: entry {position}: the token must be a non-empty string")
            try:
                entry = _TokenEntry.model_validate({"role": value} if isinstance(value, str) else value)
            except ValidationError as exc:
                fields = ", ".join(".".join(str(p) for p in e["loc"]) or "role" for e in exc.errors())
                raise ValueError(f"{where}: entry {position}: invalid {fields}") from None
            if entry.role is Role.PHYSICIAN and entry.practitioner is None:
                raise ValueError(f"{where}: entry {position}: a physician token needs a practitioner")
            name = entry.name or (entry.practitioner or f"token-{_digest(token)[:8]}")
            table[_digest(token)] = Principal(entry.role, name, entry.practitioner)
        return cls(table)

    def merged(self, other: TokenTable) -> TokenTable:
        return TokenTable({**self.by_digest, **other.by_digest})


def load_tokens(environ: Mapping[str, str] | None = None) -> TokenTable:
    """The tokens of ``$CDI_TOKENS_FILE`` then ``$CDI_TOKENS`` (the latter wins for a token in both)."""
    env = os.environ if environ is None else environ
    table = TokenTable()
    if path := env.get(ENV_TOKENS_FILE, "").strip():
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"{ENV_TOKENS_FILE}: cannot read the file ({type(exc).__name__})") from None
        table = table.merged(TokenTable.parse(_load(text, ENV_TOKENS_FILE), ENV_TOKENS_FILE))
    if text := env.get(ENV_TOKENS, "").strip():
        table = table.merged(TokenTable.parse(_load(text, ENV_TOKENS), ENV_TOKENS))
    return table


def _load(text: str, where: str) -> Any:
    try:
        return yaml.safe_load(text)  # YAML is a superset of JSON: both formats read here
    except yaml.YAMLError:
        raise ValueError(f"{where}: not valid YAML or JSON") from None


# --- FastAPI dependencies --------------------------------------------------------------------------------

_bearer = HTTPBearer(auto_error=False, description="A token from CDI_TOKENS_FILE / CDI_TOKENS.")


async def authenticate(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """The caller behind the ``Authorization: Bearer`` header; 401 without a known token."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ServiceError(401, "login", "a bearer token is required")
    table: TokenTable = request.app.state.settings.tokens
    principal = table.lookup(credentials.credentials)
    if principal is None:
        raise ServiceError(401, "login", "the bearer token is not valid")
    request.state.principal = principal
    return principal


def require(permission: Permission) -> Callable[..., Coroutine[Any, Any, Principal]]:
    """A dependency that authenticates the caller and checks one permission (403 otherwise)."""

    async def dependency(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if not principal.can(permission):
            raise ServiceError(
                403, "forbidden", f"the {principal.role.value} role may not {permission.value}"
            )
        return principal

    return dependency


Analyst = Annotated[Principal, Depends(require(Permission.ANALYZE))]
Reader = Annotated[Principal, Depends(require(Permission.READ))]
Manager = Annotated[Principal, Depends(require(Permission.MANAGE))]
Answerer = Annotated[Principal, Depends(require(Permission.ANSWER))]
Reviewer = Annotated[Principal, Depends(require(Permission.REVIEW))]
CdsClient = Annotated[Principal, Depends(require(Permission.CDS))]
