"""The vocabulary every layer shares: claims and their papers and hypotheses (:mod:`.claims`), evidence and
margins (:mod:`.evidence`), search profiles (:mod:`.profiles`), results of a run (:mod:`.results`), every seed
of a run (:mod:`.seeds`) and the registry of serialisable instance types (:mod:`.instances`)."""
