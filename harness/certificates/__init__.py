"""Certificates: constructive evidence a check can return, such as a path along which the loss never rises
above its start (:mod:`.paths`, exact for polynomial models) or a barrier every escaping path must cross."""
