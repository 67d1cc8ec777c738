"""The HTTP service (FastAPI): FHIR endpoints, the query lifecycle, the worklist, metrics and CDS Hooks.

``create_app()`` builds the application (``service.py`` at the repository root is ``app = create_app()``);
``cdi serve`` runs it with uvicorn.
"""

from cdi.service.app import create_app
from cdi.service.settings import Settings

__all__ = ["Settings", "create_app"]
