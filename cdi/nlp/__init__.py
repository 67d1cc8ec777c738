"""The NLP stage of the data flow: notes -> hits (sentence, section, target, ConText).

Importing this package is cheap: spaCy and medspaCy load when the pipeline is built
(:meth:`NotePipeline.build` or, once per process, :func:`get_pipeline`).
"""

from cdi.nlp.pipeline import NotePipeline, get_pipeline

__all__ = ["NotePipeline", "get_pipeline"]
