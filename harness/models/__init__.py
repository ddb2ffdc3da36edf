"""Model families, one module each, and what they are built from.

* :mod:`.mlp`: MLPs with biases (padded shape buckets, ``lax.switch`` over activations), with
  :mod:`.mlp_precise` (the same network in mpmath), :mod:`.architecture` and :mod:`.activations`;
* :mod:`.linear`: linear networks (the map mu, its differential, GL-moves, exact and JAX derivatives);
* :mod:`.two_layer`: two-layer networks without biases (intrinsic dimension, population losses);
* :mod:`.relu`: ReLU activation regions (Khatri-Rao Jacobians, LP realisability);
* :mod:`.losses`: losses as objects; :mod:`.population`: population losses in closed form.
"""
