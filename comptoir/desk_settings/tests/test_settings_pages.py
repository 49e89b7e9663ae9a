"""The administrator's settings pages: contacts, order messages, options (REFERENCE A1, A10,
A17)."""

import html
import re
from typing import Any

import pytest
from django.test import Client

from comptoir.desk_settings import services as settings_services
from comptoir.staff.models import Role
from comptoir.testing import default_contact, logged_in_client, make_employee, make_thread
from comptoir.threads.models import Contact, DeskSettings, OrderMessage, Thread

pytestmark = pytest.mark.django_db


def body(response: Any) -> str:
    content: bytes = response.content
    return content.decode()


def contact_ids() -> list[int]:
    return list(Contact.objects.order_by("position", "id").values_list("pk", flat=True))


@pytest.fixture
def admin(charlie) -> Client:
    return logged_in_client(charlie)


@pytest.fixture
def order_message(db) -> OrderMessage:
    return OrderMessage.objects.create(
        name={"en": "Delay", "fr": "Retard", "es": "Retraso"},
        text={
            "en": "Your order will be late.",
            "fr": "Votre commande aura du retard.",
            "es": "Su pedido llegará tarde.",
        },
    )


def contact_data(**values) -> dict[str, str]:
    data = {
        "name_en": "Returns",
        "name_fr": "Retours",
        "name_es": "Devoluciones",
        "description_en": "To send an item back",
        "description_fr": "Pour renvoyer un article",
        "description_es": "Para devolver un artículo",
        "email": "returns@shop.test",
        "save_messages": "on",
        "position": "",
    }
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def order_message_data(**values) -> dict[str, str]:
    data = {
        "name_en": "Out of stock",
        "name_fr": "Rupture de stock",
        "name_es": "Agotado",
        "text_en": "The item is out of stock.",
        "text_fr": "L'article est en rupture de stock.",
        "text_es": "El artículo está agotado.",
    }
    data.update(values)
    return data


def admin_pages(order_message: OrderMessage) -> list[str]:
    contact = default_contact().pk
    return [
        "/desk/contacts/",
        "/desk/contacts/add/",
        f"/desk/contacts/{contact}/edit/",
        f"/desk/contacts/{contact}/delete/",
        "/desk/order-messages/",
        "/desk/order-messages/add/",
        f"/desk/order-messages/{order_message.pk}/edit/",
        f"/desk/order-messages/{order_message.pk}/delete/",
        "/desk/options/",
    ]


# --- who may open the pages ---------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page_from_every_settings_page(
    client, order_message
):
    for url in admin_pages(order_message):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"/desk/login/?next={url}")


def test_an_agent_cannot_open_the_contacts_page(bob):
    assert logged_in_client(bob).get("/desk/contacts/").status_code == 403


def test_an_agent_cannot_open_any_settings_page(bob, order_message):
    agent = logged_in_client(bob)
    for url in admin_pages(order_message):
        assert agent.get(url).status_code == 403, url


def test_an_agent_cannot_change_any_setting(bob, order_message):
    agent = logged_in_client(bob)
    contact = default_contact()
    before = contact_ids()
    assert agent.post("/desk/contacts/add/", contact_data()).status_code == 403
    assert agent.post(f"/desk/contacts/{contact.pk}/move/", {"direction": "up"}).status_code == 403
    assert agent.post(f"/desk/contacts/{contact.pk}/delete/").status_code == 403
    assert agent.post(f"/desk/order-messages/{order_message.pk}/delete/").status_code == 403
    assert agent.post("/desk/options/", {}).status_code == 403
    assert contact_ids() == before
    assert OrderMessage.objects.filter(pk=order_message.pk).exists()
    assert DeskSettings.load().allow_file_uploads is True


def test_an_inactive_employee_is_sent_to_the_login_page(dana):
    response = logged_in_client(dana).get("/desk/contacts/")
    assert response.status_code == 302


def test_an_administrator_opens_every_settings_page(admin, order_message):
    for url in admin_pages(order_message):
        response = admin.get(url)
        assert response.status_code == 200, url


def test_the_settings_pages_use_no_inline_script_or_style(admin, order_message):
    for url in admin_pages(order_message):
        page = body(admin.get(url))
        assert "style=" not in page, url
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url


def test_every_form_field_has_a_label(admin):
    page = body(admin.get("/desk/contacts/add/"))
    for field_id in re.findall(r'<(?:input|textarea|select)[^>]*\bid="([^"]+)"', page):
        assert f'for="{field_id}"' in page, field_id


def test_a_post_without_the_csrf_token_is_refused(charlie):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(charlie)
    response = strict.post("/desk/contacts/add/", contact_data())
    assert response.status_code == 403
    assert not Contact.objects.filter(name__en="Returns").exists()


# --- contacts: list and add ---------------------------------------------------------------------


def test_the_contacts_page_lists_contacts_by_position_with_email_and_save_messages(admin):
    Contact.objects.filter(name__en="Webmaster").update(position=7, save_messages=False)
    page = body(admin.get("/desk/contacts/"))
    for label in ("Contacts", "Add new contact", "Title", "Email address", "Save messages?"):
        assert label in page
    assert page.index("Customer service") < page.index("Webmaster")
    assert ">No<" in page
    assert ">Yes<" in page


def test_the_contacts_page_shows_names_in_the_employees_language():
    francoise = make_employee("Francoise", role=Role.ADMINISTRATOR, language="fr")
    page = body(logged_in_client(francoise).get("/desk/contacts/"))
    assert "Service client" in page
    assert "Customer service" not in page


def test_an_administrator_adds_a_contact_with_a_name_and_description_per_language(admin):
    response = admin.post("/desk/contacts/add/", contact_data())
    assert response.status_code == 302
    assert response["Location"] == "/desk/contacts/"
    contact = Contact.objects.get(name__en="Returns")
    assert contact.name == {"en": "Returns", "fr": "Retours", "es": "Devoluciones"}
    assert contact.description["fr"] == "Pour renvoyer un article"
    assert contact.email == "returns@shop.test"
    assert contact.save_messages is True
    page = body(admin.get("/desk/contacts/"))
    assert "Successful creation." in page
    assert "Returns" in page


def test_a_new_contact_without_a_position_goes_last(admin):
    admin.post("/desk/contacts/add/", contact_data())
    assert contact_ids()[-1] == Contact.objects.get(name__en="Returns").pk


def test_a_contact_may_have_no_email_when_it_saves_messages(admin):
    response = admin.post("/desk/contacts/add/", contact_data(email=""))
    assert response.status_code == 302
    assert Contact.objects.get(name__en="Returns").email == ""


def test_a_contact_that_does_not_save_messages_needs_an_email(admin):
    response = admin.post("/desk/contacts/add/", contact_data(email="", save_messages=None))
    assert response.status_code == 400
    assert "needs an e-mail address" in body(response)
    assert not Contact.objects.filter(name__en="Returns").exists()


def test_a_contact_needs_a_title_in_the_shops_default_language(admin):
    response = admin.post("/desk/contacts/add/", contact_data(name_en=""))
    assert response.status_code == 400
    message = "The title is required in English, the shop's default language."
    assert message in html.unescape(body(response))  # &#x27; or &#39;: the same apostrophe
    assert not Contact.objects.filter(name__fr="Retours").exists()


def test_a_contact_title_may_be_missing_in_the_other_languages(admin):
    response = admin.post("/desk/contacts/add/", contact_data(name_fr="", name_es=""))
    assert response.status_code == 302
    assert Contact.objects.get(name__en="Returns").name == {"en": "Returns"}


def test_a_contact_title_longer_than_255_characters_is_refused(admin):
    response = admin.post("/desk/contacts/add/", contact_data(name_fr="x" * 256))
    assert response.status_code == 400
    assert "at most 255 characters" in body(response)
    assert not Contact.objects.filter(name__en="Returns").exists()


def test_a_bad_contact_email_is_refused_and_the_typed_values_stay(admin):
    response = admin.post("/desk/contacts/add/", contact_data(email="not-an-address"))
    assert response.status_code == 400
    page = body(response)
    assert "Enter a valid email address." in page
    assert 'value="Retours"' in page
    assert not Contact.objects.filter(name__en="Returns").exists()


# --- contacts: edit and move --------------------------------------------------------------------


def test_the_edit_form_shows_the_saved_values_of_every_language(admin):
    contact = default_contact()
    page = body(admin.get(f"/desk/contacts/{contact.pk}/edit/"))
    assert 'value="Customer service"' in page
    assert 'value="Service client"' in page
    assert 'value="Servicio de Atención al cliente"' in page
    assert "Para cualquier pregunta sobre un producto o un pedido" in page


def test_an_administrator_edits_a_contact(admin):
    contact = default_contact()
    response = admin.post(
        f"/desk/contacts/{contact.pk}/edit/",
        contact_data(name_en="Sales", name_fr="Ventes", name_es="", save_messages=None),
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.name == {"en": "Sales", "fr": "Ventes"}
    assert contact.save_messages is False
    assert contact.email == "returns@shop.test"
    assert "Successful update." in body(admin.get("/desk/contacts/"))


def test_editing_a_contact_keeps_its_position_unless_one_is_given(admin):
    contact = default_contact()
    position = contact.position
    admin.post(f"/desk/contacts/{contact.pk}/edit/", contact_data(position=""))
    contact.refresh_from_db()
    assert contact.position == position
    admin.post(f"/desk/contacts/{contact.pk}/edit/", contact_data(position="9"))
    contact.refresh_from_db()
    assert contact.position == 9


def test_a_contact_edit_is_validated_like_an_addition(admin):
    contact = default_contact()
    response = admin.post(f"/desk/contacts/{contact.pk}/edit/", contact_data(name_en=""))
    assert response.status_code == 400
    contact.refresh_from_db()
    assert contact.name["en"] == "Customer service"


def test_editing_an_unknown_contact_is_not_found(admin):
    assert admin.get("/desk/contacts/999999/edit/").status_code == 404


def test_moving_a_contact_up_and_down_reorders_the_list(admin):
    first, second = contact_ids()
    response = admin.post(f"/desk/contacts/{second}/move/", {"direction": "up"})
    assert response.status_code == 302
    assert contact_ids() == [second, first]
    admin.post(f"/desk/contacts/{second}/move/", {"direction": "down"})
    assert contact_ids() == [first, second]


def test_moving_works_even_when_positions_are_equal(admin):
    Contact.objects.update(position=0)
    first, second = contact_ids()
    admin.post(f"/desk/contacts/{first}/move/", {"direction": "down"})
    assert contact_ids() == [second, first]


def test_moving_the_first_contact_up_changes_nothing(admin):
    before = contact_ids()
    admin.post(f"/desk/contacts/{before[0]}/move/", {"direction": "up"})
    assert contact_ids() == before


def test_moving_needs_a_post_and_a_direction(admin):
    contact = default_contact()
    assert admin.get(f"/desk/contacts/{contact.pk}/move/").status_code == 405
    assert admin.post(f"/desk/contacts/{contact.pk}/move/", {"direction": "x"}).status_code == 400


# --- contacts: delete ---------------------------------------------------------------------------


def test_a_contact_without_threads_is_deleted_after_confirmation(admin):
    contact = Contact.objects.get(name__en="Webmaster")
    page = body(admin.get(f"/desk/contacts/{contact.pk}/delete/"))
    assert "Delete this contact?" in page
    assert Contact.objects.filter(pk=contact.pk).exists()
    response = admin.post(f"/desk/contacts/{contact.pk}/delete/")
    assert response.status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert "Successful deletion." in body(admin.get("/desk/contacts/"))


def test_a_contact_with_threads_cannot_be_deleted_without_choosing_where_they_go(admin):
    contact = default_contact()
    make_thread(contact=contact)
    make_thread(contact=contact, email="gaston@example.com")
    page = body(admin.get(f"/desk/contacts/{contact.pk}/delete/"))
    assert "2 threads use this contact" in page
    assert "Move the threads and delete" in page
    response = admin.post(f"/desk/contacts/{contact.pk}/delete/")
    assert response.status_code == 400
    assert "Choose the contact that will receive the threads." in body(response)
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert Thread.objects.filter(contact=contact).count() == 2


def test_its_threads_move_to_another_contact_then_the_contact_is_deleted(admin):
    contact = default_contact()
    webmaster = Contact.objects.get(name__en="Webmaster")
    threads = [make_thread(contact=contact), make_thread(contact=contact, email="g@example.com")]
    other = make_thread(contact=webmaster, email="h@example.com")
    response = admin.post(f"/desk/contacts/{contact.pk}/delete/", {"move_threads_to": webmaster.pk})
    assert response.status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()
    for thread in [*threads, other]:
        thread.refresh_from_db()
        assert thread.contact_id == webmaster.pk
    page = body(admin.get("/desk/contacts/"))
    assert "2 threads were moved to the other contact." in page
    assert "Successful deletion." in page


def test_threads_cannot_move_to_the_contact_being_deleted(admin):
    contact = default_contact()
    make_thread(contact=contact)
    response = admin.post(f"/desk/contacts/{contact.pk}/delete/", {"move_threads_to": contact.pk})
    assert response.status_code == 400
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_the_last_contact_with_threads_says_another_contact_is_needed(admin):
    webmaster = Contact.objects.get(name__en="Webmaster")
    webmaster.delete()
    contact = default_contact()
    make_thread(contact=contact)
    page = body(admin.get(f"/desk/contacts/{contact.pk}/delete/"))
    assert "There is no other contact to receive them." in page


def test_the_delete_service_refuses_while_threads_use_the_contact():
    contact = default_contact()
    make_thread(contact=contact)
    with pytest.raises(settings_services.SettingsError, match="cannot be deleted"):
        settings_services.contact_delete(contact=contact)
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_the_delete_service_moves_threads_in_one_update_and_returns_the_count(
    django_assert_max_num_queries,
):
    contact = default_contact()
    webmaster = Contact.objects.get(name__en="Webmaster")
    for n in range(5):
        make_thread(contact=contact, email=f"c{n}@example.com")
    # 9 on PostgreSQL and MariaDB: the counters are locked before they move.
    with django_assert_max_num_queries(9):
        moved = settings_services.contact_delete(contact=contact, move_threads_to=webmaster)
    assert moved == 5
    assert Thread.objects.filter(contact=webmaster).count() == 5


def test_the_contact_service_refuses_a_missing_default_name():
    with pytest.raises(settings_services.SettingsError, match="required in English"):
        settings_services.contact_create(name={"fr": "Retours"}, description={})


# --- order messages -----------------------------------------------------------------------------


def test_the_order_messages_page_lists_names_and_excerpts_in_the_employees_language(
    order_message,
):
    francoise = make_employee("Francoise", role=Role.ADMINISTRATOR, language="fr")
    page = body(logged_in_client(francoise).get("/desk/order-messages/"))
    assert "Retard" in page
    assert "Votre commande aura du retard." in page


def test_the_order_messages_page_shows_an_excerpt_of_long_texts(admin):
    OrderMessage.objects.create(name={"en": "Long"}, text={"en": "word " * 200})
    page = body(admin.get("/desk/order-messages/"))
    assert "Order Messages" in page
    assert "Add new order message" in page
    assert "word " * 200 not in page
    assert "…" in page


def test_an_administrator_adds_an_order_message_per_language(admin):
    response = admin.post("/desk/order-messages/add/", order_message_data())
    assert response.status_code == 302
    order_message = OrderMessage.objects.get()
    assert order_message.name == {"en": "Out of stock", "fr": "Rupture de stock", "es": "Agotado"}
    assert order_message.text["es"] == "El artículo está agotado."
    assert "Successful creation." in body(admin.get("/desk/order-messages/"))


def test_an_order_message_needs_a_name_and_a_text_in_the_default_language(admin):
    response = admin.post("/desk/order-messages/add/", order_message_data(name_en="", text_en=""))
    assert response.status_code == 400
    page = body(response)
    assert "The name is required in English" in page
    assert "The message is required in English" in page
    assert not OrderMessage.objects.exists()


def test_an_order_message_name_is_at_most_128_characters(admin):
    response = admin.post("/desk/order-messages/add/", order_message_data(name_en="n" * 129))
    assert response.status_code == 400
    assert "at most 128 characters" in body(response)
    assert (
        admin.post("/desk/order-messages/add/", order_message_data(name_en="n" * 128)).status_code
        == 302
    )


def test_an_order_message_text_is_at_most_1200_characters(admin):
    response = admin.post("/desk/order-messages/add/", order_message_data(text_fr="t" * 1201))
    assert response.status_code == 400
    assert "at most 1200 characters" in body(response)
    assert not OrderMessage.objects.exists()


def test_an_order_message_may_contain_any_character_and_is_shown_escaped(admin):
    text = "<script>alert('x')</script> {price} > 10€"
    response = admin.post("/desk/order-messages/add/", order_message_data(text_en=text))
    assert response.status_code == 302
    assert OrderMessage.objects.get().text["en"] == text
    page = body(admin.get("/desk/order-messages/"))
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; {price} &gt; 10€" in page


def test_an_administrator_edits_an_order_message(admin, order_message):
    page = body(admin.get(f"/desk/order-messages/{order_message.pk}/edit/"))
    assert 'value="Retraso"' in page
    assert "Votre commande aura du retard." in page
    response = admin.post(
        f"/desk/order-messages/{order_message.pk}/edit/",
        order_message_data(name_en="Late", text_en="Late, sorry.", name_es="", text_es=""),
    )
    assert response.status_code == 302
    order_message.refresh_from_db()
    assert order_message.name == {"en": "Late", "fr": "Rupture de stock"}
    assert order_message.text["en"] == "Late, sorry."
    assert "es" not in order_message.text


def test_an_order_message_edit_is_validated(admin, order_message):
    response = admin.post(
        f"/desk/order-messages/{order_message.pk}/edit/", order_message_data(text_en="")
    )
    assert response.status_code == 400
    order_message.refresh_from_db()
    assert order_message.text["en"] == "Your order will be late."


def test_an_order_message_is_deleted_after_confirmation(admin, order_message):
    page = body(admin.get(f"/desk/order-messages/{order_message.pk}/delete/"))
    assert "Delete this order message?" in page
    assert OrderMessage.objects.filter(pk=order_message.pk).exists()
    response = admin.post(f"/desk/order-messages/{order_message.pk}/delete/")
    assert response.status_code == 302
    assert not OrderMessage.objects.filter(pk=order_message.pk).exists()
    assert "Successful deletion." in body(admin.get("/desk/order-messages/"))


# --- options ------------------------------------------------------------------------------------


def test_the_options_page_shows_the_current_options(admin):
    page = body(admin.get("/desk/options/"))
    for label in ("Contact options", "Allow file uploading"):
        assert label in page
    assert "Default message" in page
    assert "Cher client," in page
    assert 'name="allow_file_uploads"' in page
    assert re.search(r'name="allow_file_uploads"[^>]*checked', page)


def test_an_administrator_saves_the_options_per_language(admin):
    response = admin.post(
        "/desk/options/",
        {
            "default_message_en": "Hello,\n\nThe shop",
            "default_message_fr": "Bonjour,\n\nLa boutique",
            "default_message_es": "",
        },
    )
    assert response.status_code == 302
    desk_settings = DeskSettings.load()
    assert desk_settings.allow_file_uploads is False  # an unchecked box is not sent
    assert desk_settings.default_message == {
        "en": "Hello,\n\nThe shop",
        "fr": "Bonjour,\n\nLa boutique",
    }
    assert desk_settings.default_message_in("es") == "Hello,\n\nThe shop"
    page = body(admin.get("/desk/options/"))
    assert "Successful update." in page
    assert "Bonjour," in page
    admin.post("/desk/options/", {"allow_file_uploads": "on", "default_message_en": "Hi"})
    assert DeskSettings.load().allow_file_uploads is True


def test_a_default_message_that_is_too_long_is_refused(admin):
    data = {"allow_file_uploads": "on", "default_message_en": "x" * 5001}
    response = admin.post("/desk/options/", data)
    assert response.status_code == 400
    assert DeskSettings.load().default_message_in("en").startswith("Dear Customer")


# --- query counts -------------------------------------------------------------------------------


def test_the_contacts_page_makes_the_same_queries_for_3_or_50_contacts(
    admin, django_assert_max_num_queries
):
    Contact.objects.create(name={"en": "Sales"}, position=3)
    with django_assert_max_num_queries(4):
        assert admin.get("/desk/contacts/").status_code == 200
    Contact.objects.bulk_create(
        Contact(name={"en": f"Dept {n}"}, email=f"d{n}@shop.test", position=n + 4)
        for n in range(47)
    )
    with django_assert_max_num_queries(4):
        page = body(admin.get("/desk/contacts/"))
    assert "Dept 46" in page


def test_the_order_messages_page_makes_the_same_queries_for_3_or_50_messages(
    admin, django_assert_max_num_queries
):
    def add(count: int, start: int) -> None:
        OrderMessage.objects.bulk_create(
            OrderMessage(name={"en": f"Message {n}"}, text={"en": f"Text {n}"})
            for n in range(start, start + count)
        )

    add(3, 0)
    with django_assert_max_num_queries(4):
        assert admin.get("/desk/order-messages/").status_code == 200
    add(47, 3)
    with django_assert_max_num_queries(4):
        page = body(admin.get("/desk/order-messages/"))
    assert "Message 49" in page


def headings(page: str) -> list[str]:
    return [html.unescape(h).strip() for h in re.findall(r"<h[12][^>]*>(.*?)</h[12]>", page, re.S)]


def test_the_options_page_and_the_mailbox_section_do_not_share_a_title(admin):
    options = headings(body(admin.get("/desk/options/")))
    mailbox = headings(body(admin.get("/desk/mailbox/new/")))
    assert options[0] == "Contact options"
    assert "Customer service options" in mailbox
    assert set(options) & set(mailbox) == set()
