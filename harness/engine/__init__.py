"""The run engine: a claim's search (enumeration, then Hypothesis), re-verification of findings, work units,
the claim kinds that plan, run and merge them, and the engines (in-process, Dask) that execute a run.

It imports nothing above it: the catalogue, the strategies and the reports are handed in by the application
(:mod:`harness.app`)."""
