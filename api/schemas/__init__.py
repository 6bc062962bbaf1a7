"""Marshmallow schemas: they validate every input and generate the OpenAPI document."""
