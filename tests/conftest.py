"""Settings shared by every test module."""

from hypothesis import settings

# Property tests check behaviour, not speed (speed is measured in benchmarks/): on a shared
# 2-core machine one example can take over a second, so no per-example deadline anywhere.
settings.register_profile("no-deadline", deadline=None)
settings.load_profile("no-deadline")
