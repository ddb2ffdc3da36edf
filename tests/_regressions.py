"""Instances that once raised a false alarm, kept so that the encoding that answered them stays right."""

#: Cooper (2020) Corollary 5.9, thorough profile, seed 1: a 2-1-1-3-2 arctan net with kappa(Phi~) = 7e6.  The
#: computed fiber minimiser's residual (3.7e-9) moved L(gamma(t)) from (1-t)^2 L(w) by 2.9e-10 relative, beyond a
#: fixed 1e-10; the segment's tolerance now follows the measured residual (see ``_segment_to_minimum``).
COR_5_9_ILL_CONDITIONED = {'type': 'NetInstance', 'arch': {'d_in': 2, 'hidden': [1, 1, 3], 'd_out': 2}, 'activation': 'arctan', 'X': [[0.13, -0.13], [0.64, 0.1], [-0.54, 0.36]], 'Y': [[1.3, 0.95], [-0.7, -1.27], [-0.62, 0.04]], 'theta': [0.08890469193522228, -0.09341224466100137, 0.6404226504432821, 0.10490011715303971, -0.535669373161111, 0.36159505490948474, 1.3040000451301372, 0.9470809631292422, -0.7037352358069926, -1.2654214710460525, -0.6232744625373522, 0.02385956530065601, -1.3423571436118953, -0.12631942606790142, -0.7193270207828588, -0.422774754356813, -0.3142280702615398, -0.31630015636915454, 0.4116305363741328], 'point': {'source': 'random'}}
