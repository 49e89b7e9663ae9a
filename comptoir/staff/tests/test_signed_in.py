"""The employee of a protected view, and what happens when a view forgot its decorator."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from comptoir.staff.access import signed_in_employee
from comptoir.testing import make_employee

pytestmark = pytest.mark.django_db


def test_the_signed_in_employee_is_the_requests_active_employee():
    request = RequestFactory().get("/desk/")
    request.user = make_employee("Eve")
    assert signed_in_employee(request) == request.user


@pytest.mark.parametrize("active", [None, False])
def test_nobody_or_a_deactivated_employee_is_refused(active):
    request = RequestFactory().get("/desk/")
    request.user = AnonymousUser() if active is None else make_employee("Fay", active=False)
    with pytest.raises(PermissionDenied):
        signed_in_employee(request)
