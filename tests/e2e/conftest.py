"""Browser tests' fixtures: Chromium with a fake camera and microphone, and recordings'
storage (a recording test plays what the server stored)."""

from __future__ import annotations

import pytest

from tests.browser import CHROMIUM_ARGS
from tests.recordings.conftest import media_dirs  # noqa: F401  (fixture)
from tests.services import require_chromium

MEDIA_ARGS = [
    *CHROMIUM_ARGS,
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    # Host candidates as plain addresses: the SFU does not resolve mDNS names.
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture
def media_browser():
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=MEDIA_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
