"""How hard the property and fuzzing tests try.

`make test` and CI run the "full" profile: every test keeps its own number of
examples. `make test-fast` runs the "fast" profile: a few examples each, enough to
catch a test that no longer runs, not enough to hunt for new failures. Failures
Hypothesis has saved are replayed under both.
"""

from __future__ import annotations

import os

from hypothesis import settings

FAST_EXAMPLES = 3

settings.register_profile("full")  # Hypothesis's defaults
settings.register_profile("fast", max_examples=FAST_EXAMPLES)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "full")


def examples(full: int) -> int:
    """The examples a test runs: its own number at full strength, a few when fast.

    A test's own `max_examples` would win over any profile, so tests ask here.
    """
    return full if PROFILE == "full" else min(full, settings().max_examples)
