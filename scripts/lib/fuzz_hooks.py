"""Schemathesis hooks for scripts/test.

cargo lambda watch, the local stand-in for API Gateway, answers 500 itself, before
any function runs, to a request whose body is not valid UTF-8 or whose header values
are not printable ASCII: it cannot put such bytes into the JSON event it hands to the
function (API Gateway passes such a body base64-encoded). Those requests would only
test the emulator, so they are not sent; how the function treats those bytes is tested
in-process by functions/municipalities/tests/handlers.rs. Everything else is fuzzed.
"""

import schemathesis


def _printable_ascii(value) -> bool:
    if not isinstance(value, str):
        value = str(value)
    return all(0x20 <= ord(c) < 0x7F for c in value)


def _carried_by_the_emulator(case) -> bool:
    for value in (case.headers or {}).values():
        if not _printable_ascii(value):
            return False
    body = case.body
    if isinstance(body, (bytes, bytearray)):
        try:
            bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True


@schemathesis.hook
def filter_case(ctx, case):
    return _carried_by_the_emulator(case)
