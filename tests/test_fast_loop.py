"""`make test` (and so CI) runs at full strength; `make test-fast` trims only the
fuzzing, the slow tests and the browser."""

import subprocess

from hypothesis import given, settings
from hypothesis import strategies as st

from tests import fuzzing
from tests.test_settings import ROOT


def planned(target: str) -> str:
    plan = subprocess.run(
        ["make", "-n", target], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert plan.returncode == 0, plan.stderr
    return next(line for line in plan.stdout.splitlines() if "pytest" in line)


def test_make_test_runs_everything_at_full_strength():
    command = planned("test")
    assert "HYPOTHESIS_PROFILE=full" in command
    assert "slow" not in command and "--ignore" not in command


def test_make_test_fast_leaves_out_the_browser_and_the_slow_tests():
    command = planned("test-fast")
    assert "HYPOTHESIS_PROFILE=fast" in command
    assert '-m "not slow"' in command and "--ignore=tests/e2e" in command


def test_a_property_test_runs_its_own_number_of_examples_unless_fast():
    runs = []

    @settings(max_examples=fuzzing.examples(40), database=None)
    @given(st.integers())
    def counted(number):
        runs.append(number)

    counted()
    if fuzzing.PROFILE == "full":
        assert len(runs) == 40
    else:
        assert 0 < len(runs) <= fuzzing.FAST_EXAMPLES
