"""The chat module's golden rows alone: the fast selection `make mutate` runs against that module's model.

pytest's default collection skips this file (not `test_*.py`): it runs only when named, as
scripts/mutate.py's TARGETS do; the whole suite runs the same rows in test_golden.py.
"""

from __future__ import annotations

import pytest

from tests.contract import golden_chat
from tests.contract.golden import Golden
from tests.contract.test_golden import test_golden_row as check_row


@pytest.mark.parametrize("row", golden_chat.ROWS, ids=[row.id for row in golden_chat.ROWS])
def test_chat_golden_row(row: Golden) -> None:
    check_row(row)
