"""Our rules reproduce the cities' official results recorded in the shared Pabulib files."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import file_params, need

from voting.tally import parse_pabulib, supports
from voting.tally.check import check_official

NOT_IMPLEMENTED = {"greedy-custom", "unknown"}


@pytest.mark.parametrize("path", file_params(mark_big=False))
def test_official_result_is_reproduced(path: Path | None) -> None:
    pb = parse_pabulib(need(path).read_text(encoding="utf-8"))
    rule = pb.meta.get("rule", "")
    if pb.selected_ids() is None:
        pytest.skip("no 'selected' column")
    if not supports(rule, pb.election().vote_type):
        assert rule in NOT_IMPLEMENTED
        pytest.skip(f"recorded rule {rule!r} is not implemented")
    report = check_official(pb)
    assert report.reproduced, (report.missing, report.extra)
