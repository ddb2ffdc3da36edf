"""Model families, one module each.

* :mod:`harness.model` -- MLPs with biases and the square loss (Cooper 2020), padded shape buckets;
* :mod:`harness.models.linear` -- linear networks W_h ... W_1 x, the parameterization map mu, its differential,
  GL-moves, float64 JAX and exact rational derivatives (Trager, Kohn & Bruna 2020).
"""
