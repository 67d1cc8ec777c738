"""The accuracy harness's data sets, one module each (read by ``benchmarks/accuracy.py``).

Every module reads public data written by others from ``../shared`` (never copied into the project),
runs the project's own pipeline on it, and returns a plain dict for the JSON report. A set whose data is
absent raises :class:`~evalsets.common.SetMissing` with a message saying what is missing and where.
"""
