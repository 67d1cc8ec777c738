"""Errors the store raises; the service maps each one to an HTTP status.

Messages carry only internal ids (query uuids, finding hashes) and state names: never a patient or encounter
reference, a name, or note text, because error messages end up in logs and in HTTP bodies.
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class of every error the store raises on purpose."""


class NotFound(StoreError):
    """The id names nothing in the store (the service answers 404)."""

    def __init__(self, entity: str, entity_id: str) -> None:
        super().__init__(f"{entity} {entity_id} not found")
        self.entity = entity
        self.entity_id = entity_id


class IllegalTransition(StoreError):
    """A lifecycle step the transition table does not allow (the service answers 409).

    ``to_state`` is a target state, or an action such as ``"edit"`` or ``"answer"`` that the current state
    refuses.
    """

    def __init__(self, query_id: str, from_state: str, to_state: str, why: str = "not allowed") -> None:
        super().__init__(f"query {query_id}: {from_state} -> {to_state}: {why}")
        self.query_id = query_id
        self.from_state = from_state
        self.to_state = to_state


class ImmutableRecord(StoreError):
    """Something tried to delete a row, or to change a row that is part of the permanent business record."""
