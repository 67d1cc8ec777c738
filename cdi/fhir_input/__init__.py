"""FHIR R4 input: Bundles, single resources, ndjson bulk exports and folders -> EncounterRecords.

``read_encounters(paths)`` streams one :class:`~cdi.models.EncounterRecord` per encounter (or per patient
for resources without an encounter); :class:`FhirReader` does the same and keeps the problems found;
``encounters_from_bundle(bundle)`` reads a Bundle already in memory (a POSTed one).

Modules: ``reader`` (files, the two passes), ``parse`` (R4B validation, problems), ``convert`` (resources
to records), ``context`` (people and encounters, author resolution), ``attachments`` (note text),
``references`` (Type/id keys), ``knowledge`` (note types and author roles from YAML).
"""

from cdi.fhir_input.attachments import AttachmentError, attachment_text, html_to_text
from cdi.fhir_input.convert import setting_for
from cdi.fhir_input.knowledge import InputKnowledge, default_knowledge
from cdi.fhir_input.parse import FhirInputError, parse_resource
from cdi.fhir_input.reader import FhirReader, encounters_from_bundle, read_encounters
from cdi.fhir_input.references import normalise_reference

__all__ = [
    "AttachmentError",
    "FhirInputError",
    "FhirReader",
    "InputKnowledge",
    "attachment_text",
    "default_knowledge",
    "encounters_from_bundle",
    "html_to_text",
    "normalise_reference",
    "parse_resource",
    "read_encounters",
    "setting_for",
]
