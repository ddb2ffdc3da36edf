"""Statistics: Clopper-Pearson intervals and sequential looks for proportion claims (:mod:`.proportion`), and
the papers' experiments as grids of cells with intervals beside reference values (:mod:`.reproductions`)."""
