"""The admin as a person uses it, in headless Chromium: sign in, create a
tenant, connect a Stripe key, and read the permission check."""

from __future__ import annotations

import os

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from gateway.tenants.keys import mask_key
from tests.admin.conftest import ADMIN_TOKEN, AdminServer
from tests.browser import CHROMEDRIVER, CHROMIUM, open_chromium
from tests.sandbox_server import SandboxProcess

WAIT_SECONDS = 20

# Under CI a missing browser is a broken machine, not a reason to skip.
pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()) and not os.environ.get("CI"),
    reason=f"needs Debian's chromium and chromium-driver ({CHROMIUM}); "
    "`make system-packages` installs them",
)


def submit(browser: WebDriver, button_id: str) -> None:
    """Click a submit button and wait until the next page has replaced this one."""
    button = browser.find_element(By.ID, button_id)
    button.click()
    wait = WebDriverWait(browser, WAIT_SECONDS)
    wait.until(expected_conditions.staleness_of(button))
    # The old page is gone; reading the new one before it has loaded races it.
    wait.until(lambda b: b.execute_script("return document.readyState") == "complete")


def text_of(browser: WebDriver, element_id: str) -> str:
    return str(browser.find_element(By.ID, element_id).text)


def fill_in_stripe_form(browser: WebDriver, key: str, scopes: dict[str, str]) -> None:
    browser.find_element(By.ID, "key").send_keys(key)
    for resource, level in scopes.items():
        browser.find_element(By.ID, f"scope-{resource}-{level}").click()
    submit(browser, "save")


def test_an_admin_connects_a_tenants_stripe_key(
    admin: AdminServer, sandbox: SandboxProcess, full_key: str
) -> None:
    narrow_key = sandbox.create_restricted_key({"customers": "read"})

    with open_chromium() as browser:
        browser.get(f"{admin.url}/tenants")
        browser.find_element(By.ID, "token").send_keys(ADMIN_TOKEN)
        submit(browser, "login")
        browser.find_element(By.ID, "tenant-id").send_keys("browser-co")
        browser.find_element(By.ID, "tenant-name").send_keys("Browser Co")
        submit(browser, "create-tenant")

        fill_in_stripe_form(
            browser, narrow_key, {"customers": "read", "prices": "read"}
        )
        refusal = text_of(browser, "error")
        refused_probe = (
            text_of(browser, "probe-customers"),
            text_of(browser, "probe-prices"),
        )
        refused_source = browser.page_source
        refused_key_field = browser.find_element(By.ID, "key").get_attribute("value")

        fill_in_stripe_form(browser, full_key, {"invoices": "write"})
        masked = text_of(browser, "masked-key")
        probe = [text_of(browser, f"probe-{r}") for r in ("customers", "prices")]
        invoices = text_of(browser, "probe-invoices")
        scopes = text_of(browser, "current-scopes")
        saved_source = browser.page_source
        key_type = browser.find_element(By.ID, "key").get_attribute("type")

    assert "lacks permission for Prices" in refusal
    assert refused_probe == ("Granted", "Missing")
    assert refused_key_field == ""
    assert narrow_key not in refused_source
    assert masked == mask_key(full_key)
    assert probe == ["Granted", "Granted"]
    assert invoices == "Granted"
    assert scopes == ("customers:read, prices:read, invoices:read, invoices:write")
    assert key_type == "password"
    assert full_key not in saved_source
    assert full_key[-8:] not in saved_source
