"""Behaviour of harness.engine.runner.run_claim on tiny hand-made claims over integers: every verdict, shrinking,
replay files, inconclusive bookkeeping, timeouts, target-driven search and seeding."""
from __future__ import annotations

import json
import time

from hypothesis import strategies as st

from harness.core.claims import Paper, claim, registry
from harness.core.evidence import Evidence, Inconclusive
from harness.core.profiles import Profile
from harness.engine.runner import run_claim

PAPER = Paper("toy", "A. Nobody", "Toy claims for the runner tests", 2024)
INTS = st.integers(0, 1000)
#: Derandomised and generous (the ci profile's 25 examples may miss a 30% region by chance).
MANY = Profile("many", max_examples=200, derandomize=True, claim_seconds=30, example_seconds=5, use_database=False)
FAST_TIMEOUT = Profile("fast-timeout", max_examples=5, derandomize=True, claim_seconds=10, example_seconds=0.5,
                       use_database=False)


def toy(check, id="toy/claim", kind="forall", strategy=INTS, expect="holds"):
    return claim(id, paper=PAPER, theorem="Toy", statement=check.__doc__ or "toy", strategy=strategy, kind=kind,
                 expect=expect, register=False)(check)


def test_unregistered_toy_claims_stay_out_of_the_registry():
    c = toy(lambda x: Evidence(1.0), id="toy/not-registered")
    assert c.id not in {k.id for k in registry}


def test_true_claim_survives():
    c = toy(lambda x: Evidence(1000.0 - x, "x <= 1000"))
    r = run_claim(c, "ci")
    assert r.verdict == "survived" and r.finding is None
    assert r.examples > 0 and r.inconclusive == 0
    assert r.min_margin >= 0
    assert r.as_expected and not r.unexpected_falsification


def test_false_claim_is_falsified_shrunk_to_the_boundary_and_written(tmp_path):
    c = toy(lambda x: Evidence(500.0 - x, f"x = {x}"), id="toy/x<=500")
    r = run_claim(c, MANY, out_dir=tmp_path)
    assert r.verdict == "falsified"
    assert r.unexpected_falsification and not r.as_expected
    f = r.finding
    assert f.kind == "counterexample" and f.minimised
    assert f.instance == {"type": "repr", "repr": "501"}
    assert f.evidence["margin"] == -1.0
    assert f.certification == "numerical"  # no high-precision backend for an int
    files = list((tmp_path / "counterexamples").glob("*.json"))
    assert [p.name for p in files] == ["toy__x<=500.json"]
    assert f.replay_file == str(files[0])
    payload = json.loads(files[0].read_text())
    assert payload["claim_id"] == "toy/x<=500"
    assert payload["instance"]["repr"] == "501" and payload["minimised"] is True
    assert payload["evidence"]["margin"] == -1.0


def test_no_out_dir_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run_claim(toy(lambda x: Evidence(500.0 - x)), MANY)
    assert r.verdict == "falsified" and r.finding.replay_file == ""
    assert not any(tmp_path.iterdir())


def test_exists_claim_is_witnessed_with_the_minimal_witness(tmp_path):
    c = toy(lambda x: Evidence(x - 700.0, f"x = {x}"), id="toy/some x >= 700", kind="exists")
    r = run_claim(c, MANY, out_dir=tmp_path)
    assert r.verdict == "witnessed" and r.as_expected
    assert r.finding.kind == "witness" and r.finding.minimised
    assert r.finding.instance["repr"] == "700"
    assert r.finding.evidence["margin"] == 0.0
    assert (tmp_path / "witnesses" / "toy__some_x_>=_700.json").is_file()


def test_exists_claim_without_witness():
    c = toy(lambda x: Evidence(x - 5000.0), kind="exists")
    r = run_claim(c, "ci")
    assert r.verdict == "no witness" and r.finding is None
    assert r.examples > 0 and r.min_margin < 0
    assert not r.as_expected


def test_check_raising_is_an_error_with_the_message():
    def check(x):
        if x > 100:
            raise ValueError("broken check at a large x")
        return Evidence(1.0)

    r = run_claim(toy(check), MANY)
    assert r.verdict == "error" and r.finding is None
    assert "ValueError: broken check at a large x" in r.message


def test_nan_margin_is_an_error():
    r = run_claim(toy(lambda x: Evidence(float("nan"), "nan")), "ci")
    assert r.verdict == "error"
    assert "non-finite margin" in r.message


def test_non_evidence_return_is_an_error():
    r = run_claim(toy(lambda x: True), "ci")
    assert r.verdict == "error" and "expected Evidence" in r.message


def test_mostly_inconclusive_claim_is_inconclusive_with_reasons():
    def check(x):
        if x % 4:
            raise Inconclusive(f"no spectral gap: x = {x}")
        return Evidence(1.0)

    r = run_claim(toy(check), MANY)
    assert r.verdict == "inconclusive" and r.finding is None
    assert r.examples > 0 and r.inconclusive > r.examples / 2
    assert r.inconclusive_reasons == {"no spectral gap": r.inconclusive}  # reason = text before the colon
    assert "no spectral gap" in r.message


def test_occasionally_inconclusive_claim_still_survives():
    def check(x):
        if x % 10 == 3:
            raise Inconclusive("ill-conditioned: rare")
        return Evidence(1.0)

    r = run_claim(toy(check), MANY)
    assert r.verdict == "survived"
    assert r.inconclusive == r.inconclusive_reasons.get("ill-conditioned", 0)


def test_hanging_check_times_out():
    def check(x):
        time.sleep(3600)
        return Evidence(1.0)

    started = time.monotonic()
    r = run_claim(toy(check), FAST_TIMEOUT)
    assert time.monotonic() - started < 5
    assert r.verdict == "timeout"
    assert "exceeded 0.5 s" in r.message and r.examples == 0


def test_timeout_after_a_violation_keeps_the_unminimised_finding(tmp_path):
    def check(x):
        if x > 500:  # shrinking re-runs small violations; hang on the second large one
            check.calls += 1
            if check.calls > 1:
                time.sleep(3600)
        return Evidence(500.0 - x)

    check.calls = 0
    r = run_claim(toy(check), Profile("t", 200, True, 10, 0.5, False), out_dir=tmp_path)
    assert r.verdict == "timeout"
    assert r.finding is not None and not r.finding.minimised
    assert r.finding.evidence["margin"] < 0
    assert list((tmp_path / "counterexamples").glob("*.json"))


def test_claim_budget_stops_the_search():
    def check(x):
        return Evidence(1.0)

    r = run_claim(toy(check, strategy=st.integers(0, 10**9)), Profile("short", 10**7, True, 0.3, 5, False))
    assert r.verdict == "survived"
    assert "budget of 0.3 s spent" in r.message and r.examples > 0


def test_budget_running_out_mid_example_is_not_an_example_timeout():
    def check(x):
        time.sleep(0.3)
        return Evidence(1.0)

    r = run_claim(toy(check), Profile("short", 100, True, 0.5, 5, False))
    assert r.verdict == "survived" and "budget" in r.message


PAIRS = st.tuples(st.integers(0, 10_000), st.integers(0, 10_000))
TARGETED = Profile("target", 1000, True, 30, 5, False)


def _near(pair):
    """Violated only within L1 distance 20 of (7777, 3333): ~800 of 1e8 pairs, off every boundary value."""
    a, b = pair
    d = abs(a - 7777) + abs(b - 3333)
    return Evidence((d - 20) / 100.0, f"distance {d}")


def test_target_drives_the_search_into_a_rare_region():
    r = run_claim(toy(_near, id="toy/near", strategy=PAIRS), TARGETED)
    assert r.verdict == "falsified", (r.examples, r.min_margin)
    assert r.finding.minimised
    a, b = eval(r.finding.instance["repr"])
    assert abs(a - 7777) + abs(b - 3333) == 19  # shrunk to the edge of the region


def test_without_target_the_rare_region_is_missed(monkeypatch):
    """The control for the test above: the same search with target() disabled never gets there."""
    monkeypatch.setattr("harness.engine.runner.target", lambda *a, **k: None)
    r = run_claim(toy(_near, id="toy/near", strategy=PAIRS), TARGETED)
    assert r.verdict == "survived" and r.min_margin > 0


def test_seed_gives_reproducible_results():
    seen = {}

    def check(x):
        seen.setdefault(check.run, []).append(x)
        return Evidence(1.0)

    c = toy(check)
    prof = Profile("random", 30, False, 30, 5, False)
    runs = []
    for run, seed in enumerate([7, 7, 8]):
        check.run = run
        runs.append(run_claim(c, prof, seed=seed))
    assert seen[0] == seen[1]
    assert seen[0] != seen[2]
    assert all(r.verdict == "survived" for r in runs)
    # a falsification under a seed is reproduced exactly
    f = toy(lambda x: Evidence(500.0 - x))
    r1, r2 = run_claim(f, prof, seed=3), run_claim(f, prof, seed=3)
    assert (r1.verdict, r1.examples, r1.finding.instance) == (r2.verdict, r2.examples, r2.finding.instance)


def test_strategy_override_is_used():
    c = toy(lambda x: Evidence(500.0 - x))
    r = run_claim(c, "ci", strategy=st.integers(0, 500))
    assert r.verdict == "survived"


def test_explicit_example_finding_is_not_called_minimised():
    c = claim("toy/explicit", paper=PAPER, theorem="Toy", statement="x < 999", strategy=st.integers(0, 10),
              examples=[lambda: 999], register=False)(lambda x: Evidence(998.0 - x))
    r = run_claim(c, "ci")
    assert r.verdict == "falsified"
    assert r.finding.instance["repr"] == "999" and not r.finding.minimised
    assert "explicit example" in r.message


def test_time_limit_interrupts_a_check_off_the_main_thread():
    """Dask workers run tasks in a thread, where SIGALRM cannot reach: the limit still interrupts the block."""
    import threading

    from harness.engine.timeouts import ExampleTimeout, time_limit

    outcome = {}

    def work():
        try:
            with time_limit(0.2):
                while True:
                    pass
        except ExampleTimeout as e:
            outcome["timeout"] = str(e)

    t = threading.Thread(target=work, daemon=True)
    t.start()
    t.join(30)
    assert not t.is_alive() and outcome.get("timeout") == "example exceeded 0.2 s"


def test_a_short_limit_set_after_a_long_one_fires_on_time_in_its_own_thread():
    """One watchdog serves every thread: a 0.2 s limit armed while a 60 s limit sleeps fires after 0.2 s, in the
    thread that set it, and the other thread's block runs to its end."""
    import threading
    import time as _time

    from harness.engine.timeouts import ExampleTimeout, time_limit

    outcome, long_armed = {}, threading.Event()

    def long_block():
        try:
            with time_limit(60.0):
                long_armed.set()
                end = _time.monotonic() + 1.5
                while _time.monotonic() < end:
                    pass
            outcome["long"] = "finished"
        except ExampleTimeout:
            outcome["long"] = "interrupted"

    def short_block():
        started = _time.monotonic()
        try:
            with time_limit(0.2):
                while _time.monotonic() - started < 30:
                    pass
        except ExampleTimeout as e:
            outcome["short"] = (str(e), _time.monotonic() - started)

    a = threading.Thread(target=long_block, daemon=True)
    a.start()
    long_armed.wait(10)
    b = threading.Thread(target=short_block, daemon=True)
    b.start()
    b.join(40)
    a.join(40)
    message, after = outcome["short"]
    assert message == "example exceeded 0.2 s" and after < 1.2
    assert outcome["long"] == "finished"


def test_time_limit_off_the_main_thread_leaves_nothing_behind():
    """A block that ends in time is not interrupted afterwards."""
    import threading
    import time as _time

    from harness.engine.timeouts import ExampleTimeout, time_limit

    outcome = {"raised": False}

    def work():
        try:
            with time_limit(0.05):
                pass
            _time.sleep(0.2)  # past the limit, outside the block
            for _ in range(10**5):
                pass
        except ExampleTimeout:
            outcome["raised"] = True

    t = threading.Thread(target=work, daemon=True)
    t.start()
    t.join(30)
    assert not outcome["raised"]
