"""Expand a JSON-LD document (read from stdin) with PyLD, an independent
JSON-LD 1.1 processor, and print the expanded form: the tests check the
guide's CPSV-AP export through it. Remote contexts are refused: the export's
context is inline."""
import json
import sys

from pyld import jsonld


def no_remote(url, options=None):
    raise jsonld.JsonLdError("remote contexts are not loaded", "loading document failed", {"url": url})


doc = json.load(sys.stdin)
expanded = jsonld.expand(doc, {"documentLoader": no_remote})
json.dump(expanded, sys.stdout)
