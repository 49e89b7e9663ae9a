"""Django form errors as API field errors: the API reuses the pages' forms for the rules that
matter (message length, attachment types and sizes, order references), with their words."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from comptoir.lib.validation import FieldError


def form_errors(form: forms.Form, *, rename: Mapping[str, str] | None = None) -> list[FieldError]:
    names = dict(rename or {})
    errors = []
    for name, problems in form.errors.as_data().items():
        field = "body" if name == "__all__" else names.get(name, name)
        for problem in problems:
            for message in problem.messages:
                errors.append(FieldError(field, message, problem.code or "invalid"))
    return errors
