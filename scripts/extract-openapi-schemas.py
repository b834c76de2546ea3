#!/usr/bin/env python3
"""Extracts the response schemas of the Graph endpoints the simulator serves from Meta's
OpenAPI file, with every $ref resolved inline, into tests/fixtures/meta-openapi/<name>.json.

    scripts/extract-openapi-schemas.py [path/to/business-messaging-api_v23.0.yaml]

The input is Meta's OpenAPI file (docs/meta/openapi.md), given as the argument
(or $META_OPENAPI). The generated files are committed: CI has no copy of the OpenAPI file.
tests/api/support/openapi.rs validates the simulator's answers against them.

Each file holds {"source", "operation_id", "method", "path", "success", "error",
"error_statuses", "overrides"}: `success` is the 200 schema, `error` the error schema (the one
every documented error status uses; Graph's GraphAPIError where the file documents none), and
`overrides` lists the places where the simulator follows the seeds instead of this file (see
tests/fixtures/meta-openapi/README.md). `graph_error.json` holds Graph's generic error
object alone, for calls the file does not describe. Annotations (`example`, `examples`, `description`) are
dropped to keep the fixtures readable.
"""

import json
import os
import sys

import yaml

DEFAULT_SOURCE = "business-messaging-api_v23.0.yaml"  # not in the repository: docs/meta/openapi.md
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                       "meta-openapi")

# fixture name -> (OpenAPI path, method). Only endpoints the simulator serves; the code
# exchange, debug_token and system_user_access_tokens are not in the file.
ENDPOINTS = {
    "waba": ("/{Version}/{WABA-ID}", "get"),
    "phone_number": ("/{Version}/{Phone-Number-ID}", "get"),
    "phone_numbers": ("/{Version}/{WABA-ID}/phone_numbers", "get"),
    "subscribed_apps_get": ("/{Version}/{WABA-ID}/subscribed_apps", "get"),
    "subscribed_apps_post": ("/{Version}/{WABA-ID}/subscribed_apps", "post"),
    "subscribed_apps_delete": ("/{Version}/{WABA-ID}/subscribed_apps", "delete"),
    "register": ("/{Version}/{Phone-Number-ID}/register", "post"),
    "marketing_messages": ("/{Version}/{Phone-Number-ID}/marketing_messages", "post"),
    "messages": ("/{Version}/{Phone-Number-ID}/messages", "post"),
    "client_whatsapp_business_accounts": (
        "/{Version}/{Business-ID}/client_whatsapp_business_accounts", "get"),
    "onboard_partners_to_mm_lite": ("/{Version}/{Business-ID}/onboard_partners_to_mm_lite",
                                    "post"),
}

# Where the seeds (or Graph's documented behaviour) win over the OpenAPI file. Each entry:
# (fixture name, JSON pointer into the fixture, what to set it to (None = delete), reason).
OVERRIDES = [
    ("waba", "/success/required", ["id"],
     "Graph answers `fields=` with the requested fields plus `id` only (seed 001 reads "
     "`marketing_messages_onboarding_status` alone); the file requires `name` as well."),
    ("client_whatsapp_business_accounts", "/success/properties/data/items/required", ["id"],
     "Same as `waba`: with `fields=` each WABA carries only the requested fields and `id`."),
    ("phone_numbers", "/success/properties/data/items/properties/status/enum",
     ["PENDING", "CONNECTED", "LINKED", "UNLINKED", "DELETED", "MIGRATED", "BANNED",
      "RESTRICTED"],
     "The file's enum has no `CONNECTED`; a number registered for Cloud API reads `CONNECTED` "
     "(PENDING before `register`), as partners' documentation of Graph reports it "
     "(docs/meta/openapi.md). The simulator answers PENDING and CONNECTED."),
]

ANNOTATIONS = {"example", "examples", "description", "summary", "externalDocs", "deprecated",
               "xml", "title"}


class Resolver:
    def __init__(self, document):
        self.document = document
        self.cycles = set()

    def lookup(self, ref):
        if not ref.startswith("#/"):
            raise SystemExit(f"external $ref not supported: {ref}")
        node = self.document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def resolve(self, node, stack=()):
        if isinstance(node, list):
            return [self.resolve(item, stack) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            ref = node["$ref"]
            if ref in stack:
                # A recursive schema: cut the cycle with "anything" and say so.
                self.cycles.add(ref)
                return {}
            target = self.resolve(self.lookup(ref), stack + (ref,))
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            if siblings and isinstance(target, dict):
                target = {**target, **self.resolve(siblings, stack)}
            return target
        out = {}
        for key, value in node.items():
            if key in ANNOTATIONS:
                continue
            if key in ("properties", "patternProperties"):
                # Property names are data, not keywords: keep them all.
                out[key] = {name: self.resolve(schema, stack) for name, schema in value.items()}
            else:
                out[key] = self.resolve(value, stack)
        return out


def json_schema_of(resolver, response):
    response = resolver.resolve(response)
    content = response.get("content", {}).get("application/json")
    if content is None:
        return None
    return content.get("schema")


def set_pointer(document, pointer, value):
    parts = pointer.strip("/").split("/")
    node = document
    for part in parts[:-1]:
        node = node[part]
    if value is None:
        node.pop(parts[-1], None)
    else:
        node[parts[-1]] = value


def main():
    source = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("META_OPENAPI", DEFAULT_SOURCE)
    with open(source, encoding="utf-8") as f:
        document = yaml.safe_load(f)
    resolver = Resolver(document)
    fallback_error = resolver.resolve(document["components"]["schemas"]["GraphAPIError"])
    os.makedirs(OUT_DIR, exist_ok=True)
    for name, (path, method) in ENDPOINTS.items():
        operation = document["paths"][path][method]
        responses = operation["responses"]
        success = json_schema_of(resolver, responses["200"])
        if success is None:
            raise SystemExit(f"{method} {path}: no JSON 200 schema")
        errors = {}
        for status, response in responses.items():
            if str(status).startswith(("4", "5")):
                schema = json_schema_of(resolver, response)
                if schema is not None:
                    errors[str(status)] = schema
        distinct = []
        for schema in errors.values():
            if schema not in distinct:
                distinct.append(schema)
        if not distinct:
            error = fallback_error
            error_source = "components/schemas/GraphAPIError (the operation documents no errors)"
        elif len(distinct) == 1:
            error = distinct[0]
            error_source = "the operation's error responses"
        else:
            error = {"anyOf": distinct}
            error_source = "the operation's error responses (several schemas)"
        fixture = {
            "source": os.path.basename(source),
            "operation_id": operation.get("operationId"),
            "method": method.upper(),
            "path": path,
            "success": success,
            "error": error,
            "error_source": error_source,
            "error_statuses": sorted(errors),
            "overrides": [],
        }
        for target, pointer, value, reason in OVERRIDES:
            if target == name:
                set_pointer(fixture, pointer, value)
                fixture["overrides"].append({"pointer": pointer, "value": value,
                                             "reason": reason})
        out = os.path.join(OUT_DIR, f"{name}.json")
        with open(out, "w", encoding="utf-8") as f:
            json.dump(fixture, f, indent=1, sort_keys=True)
            f.write("\n")
        print(f"{name}: {method.upper()} {path} -> {os.path.relpath(out)} "
              f"({len(fixture['error_statuses'])} error statuses, {error_source})")
    # Graph's generic error object, for the error answers of calls the file does not describe
    # (the code exchange, debug_token, system_user_access_tokens, unknown paths).
    generic = {
        "source": os.path.basename(source),
        "operation_id": None,
        "method": None,
        "path": None,
        "success": {},
        "error": fallback_error,
        "error_source": "components/schemas/GraphAPIError",
        "error_statuses": [],
        "overrides": [],
    }
    with open(os.path.join(OUT_DIR, "graph_error.json"), "w", encoding="utf-8") as f:
        json.dump(generic, f, indent=1, sort_keys=True)
        f.write("\n")
    print("graph_error: components/schemas/GraphAPIError")
    if resolver.cycles:
        print("recursive $refs cut to {}: " + ", ".join(sorted(resolver.cycles)))


if __name__ == "__main__":
    main()
