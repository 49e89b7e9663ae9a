"""Assigning a thread from its page, and from the list's bulk actions: only an active employee
of the list, or nobody; anything else changes nothing and says why."""

import pytest
from django.contrib.messages import get_messages

from comptoir.testing import make_thread
from comptoir.threads import services
from comptoir.threads.models import EventKind, Thread

pytestmark = pytest.mark.django_db


def _said(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def assigned(bob, charlie):
    thread = make_thread()
    services.thread_assign(thread=thread, employee=bob, assignee=charlie)
    return thread


def test_an_employee_assigns_a_colleague(client, bob, charlie):
    thread = make_thread()
    client.force_login(bob)
    response = client.post(f"/desk/threads/{thread.pk}/assign/", {"assignee": charlie.pk})
    assert Thread.objects.get(pk=thread.pk).assignee == charlie
    assert _said(response) == [("success", "Assignment saved.")]


def test_nobody_unassigns(client, bob, assigned):
    client.force_login(bob)
    client.post(f"/desk/threads/{assigned.pk}/assign/", {"assignee": ""})
    assert Thread.objects.get(pk=assigned.pk).assignee is None


@pytest.mark.parametrize("who", ["unknown", "deactivated"])
def test_an_unknown_or_deactivated_assignee_changes_nothing_and_says_so(
    client, bob, charlie, dana, assigned, who
):
    client.force_login(bob)
    events = assigned.events.filter(kind=EventKind.ASSIGNED).count()
    assignee = 999_999 if who == "unknown" else dana.pk
    response = client.post(f"/desk/threads/{assigned.pk}/assign/", {"assignee": assignee})
    assert response.status_code == 302
    assert Thread.objects.get(pk=assigned.pk).assignee == charlie
    assert assigned.events.filter(kind=EventKind.ASSIGNED).count() == events
    assert _said(response) == [("error", "This employee cannot be assigned.")]


def test_a_bulk_assignment_to_an_unknown_employee_changes_nothing(client, bob, charlie, assigned):
    client.force_login(bob)
    response = client.post(
        "/desk/threads/bulk/", {"action": "assign", "assignee": 999_999, "ids": [assigned.pk]}
    )
    assert Thread.objects.get(pk=assigned.pk).assignee == charlie
    assert _said(response) == [("error", "This employee cannot be assigned.")]
