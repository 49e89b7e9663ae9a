"""comptoir's benchmark harness: data generator, in-process and HTTP measurements, ingestion.

Not part of the test run; see bench/README.md.
"""
