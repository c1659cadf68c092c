"""The replica's lag as a page tells it, and the replica setting (pure: no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from voting.config import load_settings
from voting.replica import STALE_AFTER_SECONDS, observed_lag, stale_seconds


@pytest.mark.parametrize(("lag", "told"), [(None, None), (0.0, None), (STALE_AFTER_SECONDS, None),
                                           (float("nan"), None), (STALE_AFTER_SECONDS + 0.5, 3), (42.9, 42)])
def test_only_a_replica_a_few_seconds_behind_is_worth_telling(lag, told):
    assert stale_seconds(lag) == told


def test_the_replica_url_is_read_from_the_environment_and_checked(tmp_path: Path):
    base = {"GREENBALLOT_DATA_DIR": str(tmp_path)}
    assert load_settings(base).replica_url is None
    assert load_settings({**base, "DATABASE_REPLICA_URL": "postgresql://r@replica:5432/gb"}).replica_url \
        == "postgresql+asyncpg://r@replica:5432/gb"
    with pytest.raises(ValueError, match="DATABASE_REPLICA_URL"):
        load_settings({**base, "DATABASE_REPLICA_URL": "mysql://replica/gb"})


def test_the_age_of_the_last_replayed_transaction_counts_once_the_replica_is_seen_behind_twice():
    assert observed_lag(None, None, None, 10.0) == (None, None)  # a primary
    assert observed_lag(True, 600, None, 10.0) == (0.0, None)  # caught up, however old its last transaction
    assert observed_lag(False, 600, None, 10.0) == (0.0, 10.0)  # behind for the first time: maybe a moment only
    assert observed_lag(False, 601, 10.0, 11.0) == (601.0, 10.0)  # still behind a second later
    assert observed_lag(True, 601, 10.0, 12.0) == (0.0, None)  # caught up: the next delay starts afresh
