"""The body parser skips its tree walk when the raw UTF-8 text alone rules out a lone surrogate and
deep nesting: that shortcut must never let through what the walk would refuse."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockryze.core import literals
from mockryze.core.errors import ApiError
from mockryze.http import body

texts = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=8)  # lone surrogates too
values = st.recursive(st.none() | st.booleans() | st.integers() | texts,
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
                      max_leaves=12)


@given(values)
def test_the_shortcut_is_taken_only_when_the_walk_would_pass(value: object) -> None:
    raw = json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
    if body._cannot_break_rules(raw):
        body._check_tree(json.loads(raw.decode("utf-8", "surrogatepass")))  # raises if the shortcut was wrong


@given(values)
def test_escaped_and_raw_forms_are_judged_alike(value: object) -> None:
    for ensure_ascii in (True, False):
        raw = json.dumps({"v": value}, ensure_ascii=ensure_ascii).encode("utf-8", "surrogatepass")
        try:
            body._check_tree(json.loads(raw.decode("utf-8", "surrogatepass")))
        except ApiError:
            with pytest.raises(ApiError):
                body.parse_json(raw)


@pytest.mark.parametrize("raw", [
    b'{"a":"\\ud800"}',  # an escaped lone surrogate
    b'{"a":"\xed\xa0\x80"}',  # an encoded one
    b'{"a":' + b"[" * 70 + b"]" * 70 + b"}",  # nested past MAX_DEPTH
    '{"a":"\ud800"}'.encode("utf-16", "surrogatepass"),  # not UTF-8: the walk always runs
])
def test_what_the_walk_refuses_is_still_refused(raw: bytes) -> None:
    with pytest.raises(ApiError) as refused:
        body.parse_json(raw)
    assert refused.value.message == literals.INVALID_BODY.message
