"""A served ledger (`ledger serve` in a subprocess) and Debian's Chromium driven by Selenium.

Missing Chromium or its driver fails the tests: the browser tests never skip."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

CHROMIUM = os.environ.get("LEDGER_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("LEDGER_TEST_CHROMEDRIVER", "/usr/bin/chromedriver")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    base: str
    env: dict[str, str]

    def api(self, token: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path, data=data, method="POST" if body is not None else "GET",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.load(answer)


@contextmanager
def served_ledger(database_url: str, tmp_path: Path) -> Iterator[Served]:
    env = {**os.environ, "LEDGER_DATABASE_URL": database_url,
           "LEDGER_CONSOLE_SESSION_DIR": str(tmp_path / "sessions")}
    env.pop("LEDGER_SIGNING_KEY_FILE", None)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=5)
            break
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(f"ledger serve did not come up: {server.communicate()[0]}")
            time.sleep(0.2)
    try:
        yield Served(base, env)
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextmanager
def chromium() -> Iterator[WebDriver]:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not shutil.which(path):
            pytest.fail(f"{path} is missing: install chromium and chromium-driver "
                        "(apt-get install -y chromium chromium-driver; .ci/run does)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=1280,1000", "--lang=zh-CN"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()


def _replaced(element: WebElement) -> Callable[[WebDriver], bool]:
    """The page holding `element` has gone. Chromedriver reports a node of a replaced document
    either as stale or, at times, as an "inspector error"; both mean the same here."""

    def gone(_: WebDriver) -> bool:
        try:
            element.tag_name  # noqa: B018 - touching the element is the test
        except WebDriverException:
            return True
        return False

    return gone


class Console:
    """The browser on the console: sign in, open pages, fill and submit forms."""

    def __init__(self, driver: WebDriver, base: str) -> None:
        self.driver = driver
        self.base = base

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    def sign_in(self, token: str) -> None:
        self.driver.delete_all_cookies()
        self.open("/login")
        self.driver.find_element(By.NAME, "token").send_keys(token)
        self.click_and_wait("form.login button")

    def click_and_wait(self, selector: str) -> None:
        """Click a submit button and wait until the answer page has replaced this one."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        self.driver.find_element(By.CSS_SELECTOR, selector).click()
        WebDriverWait(self.driver, 20).until(_replaced(old))
        WebDriverWait(self.driver, 20).until(
            lambda d: d.execute_script("return document.readyState") == "complete")

    def fill(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            element = self.driver.find_element(By.NAME, name)
            if element.tag_name == "select":
                Select(element).select_by_value(value)
            elif element.get_attribute("type") in ("date", "datetime-local"):
                self.driver.execute_script("arguments[0].value = arguments[1]", element, value)
            else:
                element.clear()
                element.send_keys(value)

    def submit_form(self, type_name: str, values: dict[str, str], query: str = "") -> None:
        self.open(f"/forms/{type_name}{query}")
        self.fill(values)
        self.submit()

    def submit(self) -> None:
        self.click_and_wait("#event-form button[type=submit]")

    def text(self, selector: str = "body") -> str:
        return self.driver.find_element(By.CSS_SELECTOR, selector).text

    def value(self, name: str) -> str:
        return self.driver.find_element(By.NAME, name).get_attribute("value") or ""

    def field_errors(self, name: str) -> str:
        return self.text(f'[data-field="{name}"]')

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(path))
