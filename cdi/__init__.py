"""CDI query assistant: FHIR R4 in, documentation gaps found with medspaCy, compliant queries out."""

__version__ = "0.1.0"
