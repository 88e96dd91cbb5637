"""Schemathesis hooks for scripts/test.

cargo lambda watch, the local stand-in for API Gateway, answers 500 itself, before
any function runs, to a request whose body is not valid UTF-8 or whose header values
are not printable ASCII: it cannot put such bytes into the JSON event it hands to the
function (API Gateway passes such a body base64-encoded). Requests like that would
only test the emulator, so header values are reduced to printable ASCII (a non-ASCII
character becomes `?`, keeping the case otherwise intact) and bodies that are not
UTF-8 are not sent. How the function itself treats those bytes is tested in-process
by functions/municipalities/tests/handlers.rs. Everything else is fuzzed.
"""

import schemathesis


def _ascii(value):
    text = value if isinstance(value, str) else str(value)
    return "".join(c if 0x20 <= ord(c) < 0x7F else "?" for c in text)


@schemathesis.hook
def map_headers(ctx, headers):
    if headers is None:
        return headers
    return {name: _ascii(value) for name, value in headers.items()}


@schemathesis.hook
def filter_case(ctx, case):
    # Cases built outside the generation hooks (the coverage phase) are checked too.
    for value in (case.headers or {}).values():
        if _ascii(value) != (value if isinstance(value, str) else str(value)):
            return False
    body = case.body
    if isinstance(body, (bytes, bytearray)):
        try:
            bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True
