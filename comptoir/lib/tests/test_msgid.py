import pytest
from hypothesis import given
from hypothesis import strategies as st

from comptoir.lib.msgid import find_signed_thread_ids, make_message_id, verify_message_id

KEY = b"k" * 32


def test_a_signed_message_id_names_its_thread():
    value = make_message_id(key=KEY, thread_id=42, domain="shop.test")
    assert value.startswith("<ct.42.")
    assert value.endswith("@shop.test>")
    assert verify_message_id(value, key=KEY) == 42


def test_another_key_does_not_verify():
    value = make_message_id(key=KEY, thread_id=42, domain="shop.test")
    assert verify_message_id(value, key=b"x" * 32) is None


@pytest.mark.parametrize("cut", [1, 2, 16, 31])
def test_a_truncated_signature_is_refused(cut):
    value = make_message_id(key=KEY, thread_id=7, domain="shop.test")
    local, domain = value.strip("<>").split("@")
    assert verify_message_id(f"<{local[:-cut]}@{domain}>", key=KEY) is None


def test_a_padded_or_retargeted_signature_is_refused():
    value = make_message_id(key=KEY, thread_id=7, domain="shop.test")
    local, domain = value.strip("<>").split("@")
    assert verify_message_id(f"<{local}0@{domain}>", key=KEY) is None
    forged = local.replace("ct.7.", "ct.8.", 1)
    assert verify_message_id(f"<{forged}@{domain}>", key=KEY) is None


def test_references_yield_each_valid_thread_once():
    a = make_message_id(key=KEY, thread_id=1, domain="d")
    b = make_message_id(key=KEY, thread_id=2, domain="d")
    header = f"<CAF=xyz@mail.gmail.com> {a}\r\n {b} {a} <ct.3.0000000000000000.abc@d>"
    assert find_signed_thread_ids(header, key=KEY) == [1, 2]


@given(st.text(max_size=300))
def test_arbitrary_text_never_verifies_or_raises(text):
    assert verify_message_id(text, key=KEY) is None
