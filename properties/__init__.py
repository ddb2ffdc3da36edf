"""The claim catalogue: one module per paper, plus ``conjectures`` for open questions."""
