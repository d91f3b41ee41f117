"""What Airflow 3's web UI draws for a DAG's runs, read in headless Chromium (tests/e2e/test_airflow.py).

The simple auth manager's login page (``/auth/login?next=…``, where the UI sends a browser with no session) takes
``input[name=username]``, ``input[name=password]`` and a "Sign in" button. The DAG's page (``/dags/<dag_id>``;
Airflow 3.3 has no ``/grid`` route) shows the grid in its left panel (``[data-testid=grid-view-button]``).

Each run's bar in the grid is a box ``[data-run-id=<run id>]`` (the run's task-instance column carries the same
attribute, and each of its cells also ``data-task-id``) holding a link to ``/dags/<dag_id>/runs/<run id>/``, whose
child is the bar drawn in the run state's colour: Airflow's GridButton sets Chakra's ``colorPalette`` to the
state, so the bar's ``--chakra-colors-color-palette-solid`` is the theme's ``--chakra-colors-<state>-solid``.
The state is read back by matching that colour against the theme's colour of each run state. The bar's tooltip
says the state too, but only while hovered and in the UI's language; the colour needs neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.airflow.api import Credentials

# Airflow's DagRunState values: the colours a run bar can take.
RUN_STATES = ("queued", "running", "success", "failed")
TIMEOUT_MS = 60_000

# The run states whose theme colour is the one the bar is drawn in (a function string: no eval in the page).
_STATES_OF_BAR = """(link, states) => {
  const drawn = getComputedStyle(link.firstElementChild).getPropertyValue("--chakra-colors-color-palette-solid");
  const theme = getComputedStyle(document.documentElement);
  return states.filter((s) => theme.getPropertyValue(`--chakra-colors-${s}-solid`).trim() === drawn.trim());
}"""


def _quoted(value: str) -> str:
    """``value`` as a CSS string (for an attribute selector)."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_bar_selector(run_id: str) -> str:
    """The link of a run's bar in the grid (not the links of its task instances' cells)."""
    return f'[data-run-id={_quoted(run_id)}]:not([data-task-id]) a:not([href*="/tasks/"])'


def grid(url: str, credentials: Credentials, dag_id: str, run_ids: Sequence[str], screenshot: Path) -> dict[str, str]:
    """Logs into Airflow 3's web UI in headless Chromium, opens the DAG's grid view, waits until a bar for each
    of run_ids is drawn, saves a full-page screenshot, and returns {run_id: the state the grid shows for it}
    ("queued", "running", "success" or "failed": the run state whose colour the bar is drawn in)."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import launch_chromium

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{url}/dags/{dag_id}")  # to /auth/login?next=/dags/<dag_id>
            page.fill("input[name=username]", credentials.username)
            page.fill("input[name=password]", credentials.password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{url}/dags/{dag_id}")
            page.click("[data-testid=grid-view-button]")  # the grid, whatever view the UI remembers
            states: dict[str, str] = {}
            for run_id in run_ids:
                bar = page.locator(run_bar_selector(run_id))
                bar.wait_for()
                matches = bar.evaluate(_STATES_OF_BAR, list(RUN_STATES))
                if len(matches) != 1:
                    raise AssertionError(f"the bar of {run_id} is drawn in the colour of {matches or 'no run state'}")
                states[run_id] = matches[0]
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        finally:
            browser.close()
    return states
