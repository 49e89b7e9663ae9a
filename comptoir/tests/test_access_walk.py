"""Every /desk/ URL pattern: anonymous visitors go to the login page, agents stay out of the
administrators' pages. Built from the URL resolver, so a new page is covered the day it exists."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from comptoir.testing import make_customer, make_employee, make_order, make_thread
from comptoir.threads.models import SavedReply

pytestmark = pytest.mark.django_db

ADMIN_ONLY_NAMESPACES = {"employees", "mail", "api_admin"}
ADMIN_ONLY_NAMES = {
    "desk_settings:contacts",
    "desk_settings:contact_add",
    "desk_settings:contact_edit",
    "desk_settings:contact_delete",
    "desk_settings:contact_move",
    "desk_settings:order_messages",
    "desk_settings:order_message_add",
    "desk_settings:order_message_edit",
    "desk_settings:order_message_delete",
    "desk_settings:options",
    "privacy:settings",
    "privacy:customer_erase",
    "privacy:address_erase",
}
PUBLIC = {
    "staff:login",
    "staff:logout",
    "staff:login_verify",
    "staff:password_reset",
    "staff:password_reset_done",
    "staff:password_reset_confirm",
    "staff:password_reset_complete",
}


def walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else (entry.name or "")
            yield prefix + str(entry.pattern), name


def desk_urls():
    return [
        (route, name)
        for route, name in walk(get_resolver().url_patterns)
        if route.startswith("desk/")
    ]


def concrete(route: str) -> str:
    return "/" + re.sub(r"<\w+>", "x", re.sub(r"<int:\w+>", "1", route))


@pytest.fixture
def some_data(alice):
    thread = make_thread(customer=alice, order=make_order(alice))
    make_customer("Zed")
    return thread


def test_there_are_many_desk_pages_to_walk():
    assert len(desk_urls()) >= 25


@pytest.mark.parametrize(("route", "name"), desk_urls())
def test_anonymous_visitors_are_sent_to_the_login_page(client, some_data, route, name):
    if name in PUBLIC:
        return
    for method in (client.get, client.post):
        response = method(concrete(route))
        assert response.status_code == 302, (route, response.status_code)
        assert response["Location"].startswith("/desk/login/?next=")


@pytest.mark.parametrize(("route", "name"), desk_urls())
def test_agents_cannot_open_administrator_pages(client, bob, some_data, route, name):
    if name in PUBLIC:
        return
    client.force_login(bob)
    response = client.get(concrete(route))
    admin_only = name in ADMIN_ONLY_NAMES or name.split(":")[0] in ADMIN_ONLY_NAMESPACES
    if admin_only:
        assert response.status_code == 403, route
    else:
        assert response.status_code != 403, route
        assert response.status_code < 500, route


@pytest.mark.parametrize("who", [None, "bob", "charlie"])
def test_merging_and_renewing_a_link_need_an_employee_who_sees_both_threads(
    client, request, some_data, who
):
    """Anonymous: the login page, nothing changes. Agent and administrator: done. A thread
    nobody can see (no such id) is a 404 on either side."""
    other = make_thread(email=some_data.email, text="Typed address")
    merge = f"/desk/threads/{some_data.pk}/merge/"
    link = f"/desk/threads/{some_data.pk}/link/"
    secret = some_data.link_secret
    if who is not None:
        client.force_login(request.getfixturevalue(who))
        assert client.post(merge, {"source": 10**9, "confirm": "yes"}).status_code == 404
        missing = "/desk/threads/1000000000/merge/"
        assert client.post(missing, {"source": other.pk, "confirm": "yes"}).status_code == 404
    merged = client.post(merge, {"source": other.pk, "confirm": "yes"})
    renewed = client.post(link)
    other.refresh_from_db()
    some_data.refresh_from_db()
    if who is None:
        for response in (merged, renewed):
            assert response["Location"].startswith("/desk/login/?next=")
        assert (other.merged_into_id, some_data.link_secret) == (None, secret)
    else:
        assert (merged.status_code, renewed.status_code) == (302, 302)
        assert other.merged_into_id == some_data.pk
        assert some_data.link_secret != secret


def public_desk_pages():
    return [(route, name) for route, name in desk_urls() if name in PUBLIC - {"staff:logout"}]


def test_every_public_name_is_a_desk_url():
    assert {name for _route, name in public_desk_pages()} == PUBLIC - {"staff:logout"}


@pytest.mark.parametrize(("route", "name"), public_desk_pages())
def test_the_public_desk_pages_open_for_anonymous_visitors(client, route, name):
    response = client.get(concrete(route), follow=True)
    assert response.status_code == 200, route


@pytest.mark.parametrize(("route", "name"), desk_urls())
def test_administrators_open_every_desk_page(client, charlie, some_data, route, name):
    client.force_login(charlie)
    response = client.get(concrete(route))
    assert response.status_code != 403, route
    assert response.status_code < 500, route


@pytest.mark.parametrize("who", [None, "bob", "charlie"])
def test_saved_replies_pages_and_insertion_by_role(client, request, some_data, who):
    """Anonymous: the login page. Agent: their own replies, a shared one read-only (403 on its
    edit and delete pages). Administrator: the shared ones; nobody opens another's own."""
    shared = SavedReply.objects.create(name={"en": "Shared"}, text={"en": "Hi"})
    someone = SavedReply.objects.create(
        name={"en": "Eve's"}, text={"en": "Hi"}, owner=make_employee("Eve")
    )
    insert = f"/desk/threads/{some_data.pk}/reply/insert/"
    pages = ["/desk/saved-replies/", "/desk/saved-replies/add/"]
    shared_pages = [
        f"/desk/saved-replies/{shared.pk}/edit/",
        f"/desk/saved-replies/{shared.pk}/delete/",
    ]
    private_pages = [
        f"/desk/saved-replies/{someone.pk}/edit/",
        f"/desk/saved-replies/{someone.pk}/delete/",
    ]
    if who is None:
        for path in [*pages, *shared_pages, insert]:
            assert client.get(path)["Location"].startswith("/desk/login/?next=")
            assert client.post(path)["Location"].startswith("/desk/login/?next=")
        return
    client.force_login(request.getfixturevalue(who))
    for path in pages:
        assert client.get(path).status_code == 200
    for path in shared_pages:
        assert client.get(path).status_code == (200 if who == "charlie" else 403)
    for path in private_pages:
        assert client.get(path).status_code == 404
    assert client.post(insert, {"text": "x", "saved_reply": shared.pk}).status_code == 200
    assert SavedReply.objects.count() == 2


@pytest.mark.parametrize("who", [None, "bob", "charlie"])
def test_views_rows_and_saved_filters_by_role(client, request, some_data, who):
    """Anonymous: the login page, nothing saved. Agent and administrator: the views and the rows'
    fragment open, a filter is saved and deleted; nobody deletes another's saved filter."""
    from comptoir.threads.models import SavedFilter

    someone = make_employee("Dora")
    theirs = SavedFilter.objects.create(employee=someone, name="Dora's", query="view=mine")
    if who is not None:
        client.force_login(request.getfixturevalue(who))
    pages = [client.get(f"/desk/?view={view}") for view in ("mine", "unassigned", "closed")]
    rows = client.get("/desk/threads/rows/?view=pending")
    saved = client.post("/desk/filters/saved/", {"name": "Mine", "query": "view=mine"})
    others = client.post(f"/desk/filters/saved/{theirs.pk}/delete/")
    if who is None:
        for response in (*pages, rows, saved, others):
            assert response["Location"].startswith("/desk/login/?next=")
        assert SavedFilter.objects.count() == 1
        return
    assert [page.status_code for page in pages] == [200, 200, 200]
    assert rows.status_code == 200
    assert saved.status_code == 302
    assert others.status_code == 404
    mine = SavedFilter.objects.get(name="Mine")
    assert client.post(f"/desk/filters/saved/{mine.pk}/delete/").status_code == 302
    assert list(SavedFilter.objects.values_list("name", flat=True)) == ["Dora's"]


@pytest.mark.parametrize("who", [None, "bob", "charlie"])
def test_presence_and_drafts_by_role(client, request, some_data, who):
    """Anonymous: the login page, nothing saved. Agent and administrator: their own draft and
    presence; a thread nobody can see (no such id) is a 404."""
    from comptoir.threads.models import Draft, ThreadPresence

    draft = f"/desk/threads/{some_data.pk}/draft/"
    polls = [
        f"/desk/threads/{some_data.pk}/presence/",
        f"/desk/threads/presence/?ids={some_data.pk}",
    ]
    if who is None:
        for path in polls:
            assert client.get(path)["Location"].startswith("/desk/login/?next=")
        response = client.post(draft, {"kind": "reply", "text": "x"})
        assert response["Location"].startswith("/desk/login/?next=")
        assert not Draft.objects.exists()
        assert not ThreadPresence.objects.exists()
        return
    employee = request.getfixturevalue(who)
    client.force_login(employee)
    for path in polls:
        assert client.get(path).status_code == 200
    assert client.get(draft).status_code == 405
    assert client.post(draft, {"kind": "reply", "text": "Typed"}).status_code == 204
    assert Draft.objects.get().employee == employee
    assert ThreadPresence.objects.get().employee == employee
    missing = "/desk/threads/1000000000/"
    assert client.post(f"{missing}draft/", {"kind": "reply", "text": "x"}).status_code == 404
    assert client.get(f"{missing}presence/").status_code == 404
