#!/usr/bin/env python3
"""Writes a large OpenAPI 3.0 spec for bench/openapi.sh: RESOURCES resource-shaped APIs
(GET/POST /things_N, GET/PATCH/DELETE /things_N/{id}: five operations each, so 400 resources
give 2,000 operations) over component schemas with typed, constrained properties, plus one
non-resource operation per resource (`POST /things_N/{id}/archive`) that is warned about.

Usage: python3 bench/openapi-spec.py [RESOURCES] > big.json   (default 400)
"""
import json
import sys


def entity_schema(index):
    return {
        "type": "object",
        "required": ["name", "amount_cents", "status"],
        "properties": {
            "id": {"type": "string", "format": "uuid", "readOnly": True},
            "name": {"type": "string", "minLength": 1, "maxLength": 120},
            "code": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
            "amount_cents": {"type": "integer", "format": "int64", "minimum": 0},
            "ratio": {"type": "number", "format": "double", "maximum": 1},
            "status": {"type": "string", "enum": ["draft", "active", "archived"]},
            "contact": {"type": "string", "format": "email"},
            "due_on": {"type": "string", "format": "date"},
            "enabled": {"type": "boolean", "default": True},
            "notes": {"type": "string", "nullable": True},
            "attributes": {"type": "object", "additionalProperties": {"type": "string"}},
            "label": {"type": "string", "description": f"label of thing {index}"},
        },
    }


def json_body(reference):
    return {"content": {"application/json": {"schema": reference}}}


def main():
    resources = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    paths, schemas = {}, {}
    for index in range(resources):
        name = f"Thing{index}"
        reference = {"$ref": f"#/components/schemas/{name}"}
        item_parameter = {"name": "id", "in": "path", "required": True,
                          "schema": {"type": "string", "format": "uuid"}}
        collection = f"/things_{index}"
        paths[collection] = {
            "get": {"operationId": f"list{name}",
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "list", **json_body(
                        {"type": "array", "items": reference})}}},
            "post": {"operationId": f"create{name}", "requestBody": json_body(reference),
                     "responses": {"201": {"description": "created", **json_body(reference)}}},
        }
        paths[f"{collection}/{{id}}"] = {
            "parameters": [item_parameter],
            "get": {"operationId": f"get{name}",
                    "responses": {"200": {"description": "one", **json_body(reference)},
                                  "404": {"description": "not found"}}},
            "patch": {"operationId": f"update{name}", "requestBody": json_body(reference),
                      "responses": {"200": {"description": "updated", **json_body(reference)}}},
            "delete": {"operationId": f"delete{name}",
                       "responses": {"204": {"description": "deleted"}}},
        }
        paths[f"{collection}/{{id}}/archive"] = {
            "post": {"operationId": f"archive{name}",
                     "responses": {"202": {"description": "accepted"}}},
        }
        schemas[name] = entity_schema(index)
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "Big", "version": "1.0.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    }
    json.dump(spec, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
