"""Instances that once raised a false alarm, kept so that the encoding that answered them stays right."""

#: Cooper (2020) Corollary 5.9, thorough profile, seed 1: a 2-1-1-3-2 arctan net with kappa(Phi~) = 7e6.  The
#: computed fiber minimiser's residual (3.7e-9) moved L(gamma(t)) from (1-t)^2 L(w) by 2.9e-10 relative, beyond a
#: fixed 1e-10; the segment's tolerance now follows the measured residual (see ``_segment_to_minimum``).
COR_5_9_ILL_CONDITIONED = {'type': 'NetInstance', 'arch': {'d_in': 2, 'hidden': [1, 1, 3], 'd_out': 2}, 'activation': 'arctan', 'X': [[0.13, -0.13], [0.64, 0.1], [-0.54, 0.36]], 'Y': [[1.3, 0.95], [-0.7, -1.27], [-0.62, 0.04]], 'theta': [0.08890469193522228, -0.09341224466100137, 0.6404226504432821, 0.10490011715303971, -0.535669373161111, 0.36159505490948474, 1.3040000451301372, 0.9470809631292422, -0.7037352358069926, -1.2654214710460525, -0.6232744625373522, 0.02385956530065601, -1.3423571436118953, -0.12631942606790142, -0.7193270207828588, -0.422774754356813, -0.3142280702615398, -0.31630015636915454, 0.4116305363741328], 'point': {'source': 'random'}}

#: Venturi et al. (2019) empirical-risk claim, thorough profile, seed 2: a 3-5-1 tanh net with N = 3 points whose
#: features have singular values (3.5, 1.5, 2.5e-4).  The path kept neurons (0, 2, 3) greedily (cond 9.5e5,
#: re-expression coefficients 4e5) and phase 1 moved the loss by 3.8e-6 from rounding alone; the float path now
#: keeps the rows column-pivoted QR picks (``harness.certificates.paths._greedy_independent``).
EMP_ILL_CONDITIONED_ROWS = {'type': 'TwoLayerInstance', 'arch': [3, 5, 1], 'rho': {'name': 'tanh', 'coeffs': []}, 'loss': {'type': 'EmpiricalLoss', 'X': [[-1.375, -0.625, 0.875], [3.125, -1.25, -0.375], [-0.75, 0.75, 1.25]], 'Y': [[0.375], [1.0], [-1.0625]], 'label': ''}, 'theta': [-1.9462126543652045, -0.6913875535956309, 2.648056878316453, -1.9462126543652045, -0.6913875535956309, 2.648056878316453, 5.600274758127101, -1.276901056801703, 0.20617564351024695, 2.9193189815478067, 1.0370813303934463, -3.9720853174746793, 0.2883639756536244, 4.737606429322166, 2.405238275134515, -0.4395077926265488, 0.15253635898658288, 0.18711251080862912, -0.8450013675345038, 0.6657101779389343], 'exact': False, 'point': {'source': 'forced-dependent', 'kinds': ['copy', 'scale']}}

#: Cooper (2020) Section 4.1 ([Coo18] Theorem), thorough profile, seed 1: a 3-2-2-2 erf net at a global minimum
#: with |W_3| ~ 600.  rank J = 4 = n d_out (sigma_4 / sigma_1 ~ 1e-6), but Hess L = 2 J^T J squares that to
#: ~1e-12, which the Hessian's gap rule counts as a zero eigenvalue (3 positive, 17 zero instead of 4 and 16);
#: the mpmath re-check used the same relative thresholds and "certified" it.  The count is now inconclusive
#: where J's conditioning squared is below the Hessian's resolution (``properties.cooper2020.thm_4_1``).
THM_4_1_SQUARED_CONDITIONING = {'type': 'NetInstance', 'arch': {'d_in': 3, 'hidden': [2, 2], 'd_out': 2}, 'activation': 'erf', 'X': [[0.13, -0.13, 0.64], [0.1, -0.54, 0.36]], 'Y': [[1.3, 0.95], [-0.7, -1.27]], 'theta': [0.07259037699354179, -0.07627077838249186, 0.36974818962856254, 0.060564110876330755, -0.3092688567912055, 0.20876700228962852, 1.3040000451301372, 0.9470809631292422, -0.4976159573990385, -0.8947881032357201, -0.44072159900056246, 0.02922188023561116, -2.3250307746388343, -0.21879166393254573, 190.73061258035884, -616.8199826184747, 211.95747996418163, -684.6701782381092, -190.72331613473796, -211.94937946236456], 'point': {'source': 'global-min', 'method': 'least-squares', 'loss': 4.502768743194959e-27}}

#: Venturi et al. (2019) Theorem 16, thorough profile, seed 21: p = 32, seed 354.  The claim's own numbers held
#: (mean excess risk 0.048 V/p, no draw above V/(0.2 p)), but the check of V -- the p-feature witness's mean error
#: over 30 draws of W against V/p within 4 standard errors -- read 0.74 V/p at 4.45 standard errors: that mean is
#: a right-skewed average whose t-statistic fell below -4 on about 1% of seeds.  V is now checked by the witness
#: with one feature over 4000 w (``properties.venturi2019.single_feature_errors``).
THM_16_SKEWED_WITNESS = {'kind': 'random-features', 'p': 32, 'n': 5, 'a': 1.0, 'b': 2.0, 'samples': 2000,
                         'draws': 30, 'seed': 354}
