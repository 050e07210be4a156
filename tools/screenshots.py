"""Screenshots of the main pages for docs/screenshots/, from a running site (`make run`).

    .venv/bin/python tools/screenshots.py [--base http://127.0.0.1:8000] [--out docs/screenshots]

Uses Debian's Chromium through Playwright, as the browser tests do.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

# (file name, path, viewport width, whole page?)
PAGES = [
    ("home.png", "/", 1200, False),
    ("search.png", "/innovations/?q=peer+support&sector=health", 1200, False),
    ("innovation.png", "/innovations/goodgym/", 1200, False),
    ("innovation-reach.png", "/innovations/integrated-breathe-easy-groups/#reach", 1200, False),
    ("register-interest-errors.png", "/innovations/goodgym/interest/", 1200, False),
    ("search-mobile.png", "/innovations/?q=loneliness", 375, False),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for name, path, width, whole in PAGES:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(args.base + path)
            if name.endswith("-errors.png"):
                page.locator("main form[method=post] button[type=submit]").last.click()
                page.wait_for_load_state()
            page.screenshot(path=args.out / name, full_page=whole)
            page.close()
            print(args.out / name)
        browser.close()


if __name__ == "__main__":
    main()
