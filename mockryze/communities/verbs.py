"""The communities module's mock-only verbs (none yet).

A verb is what a test makes the phone or WhatsApp do: one row with the Control method that reaches it,
its ``/__mock__`` route, the code it runs and what it answers (see mockryze/http/verbs.py).
"""

from __future__ import annotations

from mockryze.http.verbs import Verb

# A row also needs a method on mockryze.testing.control.Control calling
# ``self._result("<verb name>", params, args, account_token)`` (tests/testing/test_control.py checks
# there is one) and a row for its route in mockryze/contract.json. For example:
#
#     def touch(call: Call) -> tuple[int, dict[str, Any]]:
#         target = instances.find(call.account, call.name)  # mockryze.instance.model
#         ...
#         return 200, ok("Touched")
#
#     VERBS: tuple[Verb, ...] = (
#         Verb("touch", "POST", "/instances/{name}/touch", touch, "The phone touches the instance",
#              result=None, responses={200: "mock/ok.response"}, errors=(INVALID_TOKEN, INSTANCE_NOT_FOUND)),
#     )
VERBS: tuple[Verb, ...] = ()
