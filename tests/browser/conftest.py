"""A real `streamlit run` on localhost and Debian's Chromium driven by Playwright.

The suite must hold on a loaded machine, so nothing here waits a fixed time. Every wait is for
a condition, bounded by a generous timeout:

- `expect(...)` retries for `EXPECT_TIMEOUT_MS` (Playwright's own default is 5 s, whatever the
  page's default timeout says);
- `settle(page)` waits until every script run the browser has asked for has finished and been
  drawn. The page counts this itself (`RUN_TRACKER`): it sees each `rerun_script` message the
  app sends to the server and each `script_finished` message coming back, as they happen, so a
  click whose run has not yet started is not mistaken for an idle app;
- what is typed into a widget is typed only once the app is idle, since a rerun in flight may
  redraw the widget and drop it.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "screenshots"
VIEWPORT = {"width": 1440, "height": 1000}

# Generous bounds: on a busy machine a rerun can take many seconds; a real hang still fails.
ACTION_TIMEOUT_MS = 60_000  # a click, a fill, a locator's wait_for
EXPECT_TIMEOUT_MS = 60_000  # every expect(...) assertion
RUN_TIMEOUT_MS = 90_000  # one script run (or a few queued behind each other) to finish

expect.set_options(timeout=EXPECT_TIMEOUT_MS)

pytestmark = pytest.mark.browser

# Installed in every page before the app's own script. It numbers three kinds of event in the
# order the page sees them:
#   sent      a BackMsg carrying `rerun_script` (field 11) leaves for the server; Streamlit sends
#             it from inside the click, key press or change handler, so it is counted before
#             Playwright's action returns;
#   finished  a ForwardMsg carrying `script_finished` (field 6) arrives with any status but
#             FINISHED_EARLY_FOR_RERUN (2), which only means another run follows;
#   running / idle   the app has drawn its run state as running / notRunning (Streamlit calls
#             performance.mark(state) after React commits a change of it).
RUN_TRACKER = """
(() => {
  if (window.__tandemRuns) return;
  const runs = {seq: 0, sent: 0, finished: 0, running: 0, idle: 0, quiet: null};
  window.__tandemRuns = runs;
  const bytesOf = (data) => data instanceof ArrayBuffer ? new Uint8Array(data)
    : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : null;
  // The top-level fields of a protobuf message: field number -> varint value (or null).
  const fields = (bytes) => {
    const out = new Map();
    let i = 0;
    const varint = () => {
      let value = 0, scale = 1, b;
      do { b = bytes[i++]; value += (b & 127) * scale; scale *= 128; }
      while ((b & 128) && i < bytes.length);
      return value;
    };
    while (i < bytes.length) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
      if (wire === 0) out.set(field, varint());
      else if (wire === 2) { const n = varint(); out.set(field, null); i += n; }
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else break;
    }
    return out;
  };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    const bytes = bytesOf(data);
    if (bytes && fields(bytes).has(11)) runs.sent = ++runs.seq;
    return send.call(this, data);
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const bytes = bytesOf(event.data);
        const f = bytes && fields(bytes);
        if (f && f.has(6) && f.get(6) !== 2) runs.finished = ++runs.seq;
      });
    }
  };
  const mark = performance.mark.bind(performance);
  performance.mark = (name, ...rest) => {
    if (name === 'running') runs.running = ++runs.seq;
    if (name === 'notRunning') runs.idle = ++runs.seq;
    return mark(name, ...rest);
  };
})();
"""

# True once the app is idle: connected, every run asked for has finished, and the end of the
# last one is on screen. When the app has not drawn a change of state since that run finished
# (React may fold a short run's "running" and "notRunning" into one render, or its last two
# states), the idle state must have held for 250 ms and five polls, so that render is done.
IDLE = """
() => {
  const runs = window.__tandemRuns;
  const app = document.querySelector('[data-testid="stApp"]');
  const ready = runs && app
    && app.getAttribute('data-test-connection-state') === 'CONNECTED'
    && app.getAttribute('data-test-script-state') === 'notRunning'
    && runs.finished > runs.sent;
  if (!ready) { if (runs) runs.quiet = null; return false; }
  if (runs.idle > runs.finished) return true;
  const now = performance.now();
  if (!runs.quiet || runs.quiet.finished !== runs.finished) {
    runs.quiet = {finished: runs.finished, since: now, polls: 0};
  }
  runs.quiet.polls += 1;
  return runs.quiet.polls >= 5 && now - runs.quiet.since >= 250;
}
"""

RUN_STATE = """
() => ({...window.__tandemRuns,
        script: document.querySelector('[data-testid="stApp"]')
          ?.getAttribute('data-test-script-state'),
        connection: document.querySelector('[data-testid="stApp"]')
          ?.getAttribute('data-test-connection-state')})
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(store: Path, log: Path) -> tuple[str, subprocess.Popen]:
    """`streamlit run` on a free port of localhost over this store; its output goes to `log`.

    The output goes to a file, never to an unread pipe: a server whose pipe fills up stops
    at its next log line. Source files are not watched: a test server runs the code it started
    with, whatever is edited in the checkout meanwhile."""
    port = _free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
             "--server.port", str(port), "--server.address", "127.0.0.1",
             "--server.headless", "true", "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env={**os.environ, "TANDEM_DB": str(store)}, stdout=out,
            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return url, proc
        except OSError:
            time.sleep(0.5)  # polling a port that is not open yet: there is nothing to wait on
    proc.kill()
    pytest.fail("streamlit did not start: " + log.read_text(errors="replace")[-2000:])


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


SERVER_LOGS: list[Path] = []  # shown with a failing test's report


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The app on a new store holding the demo firm, as the README starts it."""
    where = tmp_path_factory.mktemp("store")
    store = where / "tandem.duckdb"
    subprocess.run([sys.executable, "-m", "planning", "init", "--demo"], cwd=ROOT,
                   env={**os.environ, "TANDEM_DB": str(store)}, check=True,
                   capture_output=True)
    log = where / "streamlit.log"
    url, proc = start_app(store, log)
    SERVER_LOGS.append(log)
    yield url
    stop_app(proc)


# The demo firm's data before its review: every line a draft of one scenario.
DRAFT_DEMO = ("import sys; from planning.demo import load_demo; from planning.store import Store;"
              " from planning.tandem import Tandem; t = Tandem(Store(sys.argv[1]));"
              " load_demo(t, review=False); t.close()")


@pytest.fixture
def draft_server(tmp_path_factory):
    """The app on the demo firm's data with every line still a draft, a store of its own for
    each test: the review tests walk the whole review from there (the demo itself is part way
    through its review)."""
    where = tmp_path_factory.mktemp("draft-store")
    store = where / "tandem.duckdb"
    subprocess.run([sys.executable, "-c", DRAFT_DEMO, str(store)], cwd=ROOT, check=True,
                   capture_output=True)
    log = where / "streamlit.log"
    url, proc = start_app(store, log)
    SERVER_LOGS.append(log)
    yield url
    stop_app(proc)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and SERVER_LOGS:
        for log in SERVER_LOGS:
            if log.exists():
                report.sections.append((f"app log {log.parent.name}",
                                        log.read_text(errors="replace")[-4000:]))
    return report


class TrackingBrowser:
    """The browser, whose every new context is made by `new_context` (tracked, patient)."""

    def __init__(self, browser):
        self._browser = browser

    def new_context(self, **options):
        return new_context(self._browser, **options)

    def new_page(self, **options):
        page = self.new_context(**options).new_page()
        return page

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield TrackingBrowser(b)
        b.close()


def new_context(browser, **options):
    """A browser context (its own cookies) whose pages track the app's runs and wait long."""
    if isinstance(browser, TrackingBrowser):
        browser = browser._browser
    context = browser.new_context(**{"viewport": VIEWPORT, **options})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.add_init_script(RUN_TRACKER)
    return context


@pytest.fixture
def page(browser):
    context = new_context(browser)
    yield context.new_page()
    context.close()


def wait_idle(page) -> None:
    """Wait until the app has finished every run asked for so far and drawn the last one."""
    try:
        page.wait_for_function(IDLE, polling=50, timeout=RUN_TIMEOUT_MS)
    except PlaywrightTimeout as exc:
        raise AssertionError(f"the app did not finish its run: {page.evaluate(RUN_STATE)}"
                             ) from exc


def settle(page) -> None:
    """After an action: wait until the run it started (if any) has finished and is drawn.

    A click, a key press or a choice sends its rerun before the action returns, so this never
    misses a run that has not begun yet. An upload starts its run later: use `upload`."""
    wait_idle(page)


def _runs_sent(page) -> int:
    return page.evaluate("() => window.__tandemRuns ? window.__tandemRuns.sent : 0")


@contextmanager
def rerun(page):
    """Wrap an action that must start a rerun, perhaps late (an upload); wait for its end."""
    before = _runs_sent(page)
    yield
    page.wait_for_function("n => window.__tandemRuns && window.__tandemRuns.sent > n",
                           arg=before, polling=50, timeout=RUN_TIMEOUT_MS)
    wait_idle(page)


def open_app(page, url: str) -> None:
    """Load an address and wait for its first run to be drawn."""
    page.goto(url)
    settle(page)


def reload(page) -> None:
    page.reload()
    settle(page)


def go_to(page, link: str) -> None:
    """Follow a link of the app's navigation and wait for that page's run."""
    wait_idle(page)
    page.get_by_role("link", name=link).click()
    settle(page)


def fill(page, key: str, text: str) -> None:
    """Type into the text input with this widget key once the app is idle, and commit it."""
    wait_idle(page)
    box = page.locator(f".st-key-{key} input")
    box.fill(text)
    box.press("Tab")  # a text input sends its value when it loses focus
    settle(page)
    expect(box).to_have_value(text)


def click(page, button: str) -> None:
    """Click the button with exactly this label and wait for the run it starts."""
    wait_idle(page)
    page.get_by_role("button", name=button, exact=True).click()
    settle(page)


def choose(page, key: str, option: str) -> None:
    """Choose one option of the selectbox with this widget key and wait for the rerun."""
    wanted = page.get_by_role("option", name=option, exact=True)
    for _attempt in range(3):
        wait_idle(page)
        page.locator(f".st-key-{key}").click()
        try:
            wanted.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:  # a late rerun redrew the box and closed its list: again
            continue
    wanted.click()
    settle(page)
    expect(page.locator(f".st-key-{key} input")).to_have_value(option)


def unfold(page, label: str, *, tab: bool = False) -> None:
    """Open the expander (or, with `tab`, the tab) with this label. The app builds its content
    only when it is shown (dashboard/ui/lazy.py), so the click reruns the page: wait for it."""
    wait_idle(page)
    target = (page.get_by_role("tab", name=label) if tab
              else page.get_by_text(label, exact=True))
    expect(target).to_have_count(1)  # not while a rerun still shows the old page too
    with rerun(page):
        target.click()


def upload(page, path) -> None:
    """Give the page's file uploader this file and wait for the run that reads it."""
    wait_idle(page)
    with rerun(page):
        page.locator("input[type=file]").set_input_files(str(path))


def screenshot(page, name: str) -> None:
    """Save a picture of the whole page once it is idle and every chart shown has been drawn
    (a chart on a tab not opened is drawn only when its tab is)."""
    settle(page)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
             .filter(chart => chart.checkVisibility())
             .every(chart => [...chart.querySelectorAll('canvas, svg.marks')].some(
               mark => mark.getBoundingClientRect().width > 0))""",
        polling=100, timeout=RUN_TIMEOUT_MS)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page, server: str, name: str, password: str) -> None:
    """Open the app and sign in through its form, as a person would."""
    open_app(page, server)
    page.locator(".st-key-sign_in_name input").fill(name)
    page.locator(".st-key-sign_in_password input").fill(password)
    expect(page.locator(".st-key-sign_in_password input")).to_have_value(password)
    page.get_by_role("button", name="Sign in").click()
    settle(page)
    expect(page.get_by_text(f"Signed in as {name}")).to_be_visible()


def sign_out(page) -> None:
    wait_idle(page)
    page.get_by_role("button", name="Sign out").click()
    settle(page)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def pick(page, key: str, option: str) -> None:
    """Choose one option of the multiselect with this widget key, as a person types it."""
    wait_idle(page)
    box = page.locator(f".st-key-{key} input")
    box.click()
    box.press_sequentially(option)
    expect(page.get_by_role("option", name=option, exact=True)).to_have_count(1)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    settle(page)
    chosen = page.locator(f".st-key-{key}").get_by_role("button", name=f"Remove {option}",
                                                       exact=True)
    expect(chosen).to_have_count(1)  # the choice was kept, not lost to a rerun
