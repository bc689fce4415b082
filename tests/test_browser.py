"""GraphiQL, as a person uses it: open the page, run a query, read the result."""

import json
import os
from urllib.parse import quote

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser import CHROMEDRIVER, CHROMIUM, open_chromium

CUSTOMERS_QUERY = "{ customers(first: 2) { nodes { id email } } }"

WAIT_SECONDS = 20

EXECUTE_BUTTON = (By.CSS_SELECTOR, "button.graphiql-execute-button")

# GraphiQL's editors are CodeMirror 5 instances, which draw only the lines in
# view; the instance itself holds the whole text.
RESULT_TEXT = """
const editor = document.querySelector('.result-window .CodeMirror');
return editor ? editor.CodeMirror.getValue() : '';
"""

RESOURCE_URLS = """
return performance.getEntriesByType('resource').map((entry) => entry.name);
"""

# Under CI a missing browser is a broken machine, not a reason to skip.
pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()) and not os.environ.get("CI"),
    reason=f"needs Debian's chromium and chromium-driver ({CHROMIUM}); "
    "`make system-packages` installs them",
)


def test_graphiql_runs_a_query_against_the_gateway(gateway_url: str) -> None:
    base = gateway_url.rstrip("/")

    with open_chromium() as browser:
        browser.get(f"{base}/graphql?query={quote(CUSTOMERS_QUERY)}")
        _wait(browser).until(
            expected_conditions.element_to_be_clickable(EXECUTE_BUTTON)
        )
        browser.find_element(*EXECUTE_BUTTON).click()
        text = _wait(browser).until(_result_text)
        requested = browser.execute_script(RESOURCE_URLS)
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]

    assert '"customers"' in text
    ids = [node["id"] for node in json.loads(text)["data"]["customers"]["nodes"]]
    assert ids
    assert all(customer_id.startswith("cus_") for customer_id in ids)
    assert f"{base}/static/graphiql/graphiql.min.js" in requested
    assert [url for url in requested if not url.startswith(f"{base}/")] == []
    assert errors == []


def _wait(browser: WebDriver) -> WebDriverWait[WebDriver]:
    return WebDriverWait(browser, WAIT_SECONDS)


def _result_text(browser: WebDriver) -> str:
    """The result pane's text; empty (so keep waiting) until a response shows."""
    text: str = browser.execute_script(RESULT_TEXT)
    return text.strip()
