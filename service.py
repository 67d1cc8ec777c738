"""The CDI query assistant's HTTP service: ``uvicorn service:app`` (or ``cdi serve``).

Configuration comes from the environment (CDI_DATABASE_URL, CDI_TOKENS_FILE / CDI_TOKENS,
CDI_MAX_BODY_BYTES); see the README's "Service" section. Everything is wired in :mod:`cdi.service`.
"""

from cdi.service import create_app

app = create_app()
