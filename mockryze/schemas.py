"""Validate documents against the RyzeAPI JSON Schemas (public path; see :mod:`mockryze.core.schemas`)."""

from mockryze.core.schemas import SchemaViolation, check_request, errors, names, schema, validate, validate_event

__all__ = ["SchemaViolation", "check_request", "errors", "names", "schema", "validate", "validate_event"]
