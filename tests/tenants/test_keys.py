"""Stripe key formats: what is accepted, what each refusal says, how keys show."""

import pytest

from gateway.tenants.keys import check_key_format, is_livemode, mask_key


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("rk_test_51Habcdef", "restricted"),
        ("rk_live_51Habcdef_ghij", "restricted"),
        ("sk_test_51Habcdef", "secret"),
        ("sk_live_51HABCDEF0123456789", "secret"),
    ],
)
def test_accepts_restricted_and_secret_keys(key: str, kind: str) -> None:
    assert check_key_format(key) == kind


@pytest.mark.parametrize(
    ("key", "complaint"),
    [
        ("", "must start with"),
        ("pk_test_51Habcdefgh", "publishable"),
        ("xk_test_51Habcdefgh", "must start with"),
        ("rk_prod_51Habcdefgh", "must start with"),
        ("rk_test_short", "too short"),
        ("rk_test_51Habc-defgh", "letters, digits and underscores"),
        (" rk_test_51Habcdefgh", "spaces"),
        ("rk_test_51Habcdefgh\n", "spaces"),
    ],
)
def test_refuses_malformed_keys_without_echoing_them(key: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint) as refusal:
        check_key_format(key)

    if key.strip():
        assert key.strip() not in str(refusal.value)


def test_masks_all_but_the_prefix_and_last_four() -> None:
    assert mask_key("rk_test_51Habcdefwxyz") == "rk_test_…wxyz"
    assert mask_key("sk_live_51Habcdefwxyz") == "sk_live_…wxyz"


def test_livemode_follows_the_prefix() -> None:
    assert is_livemode("rk_live_51Habcdefwxyz")
    assert not is_livemode("sk_test_51Habcdefwxyz")
