"""A minimal Streamlit client speaking the app's own protocol, for load benchmarks.

One `Session` is one browser tab as the server sees it: a websocket at `/_stcore/stream`, over
which it sends `BackMsg` protobufs (a rerun with a page, a query string and widget states) and
reads `ForwardMsg` protobufs (the page list in `navigation`, elements in `delta`, the end of a
run in `script_finished`). It renders nothing: it keeps the few facts a benchmark needs (the
pages, the widgets by key, exceptions and error boxes) and times each run.

Only the parts of the protocol a signed-in person's page loads use are spoken: no fragments,
file uploads, components or cached-message hashes (so the server always sends every message in
full, which is a little more work for it than for a browser that caches them).
"""
from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FINISHED_OK = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")
FINISHED_EARLY = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
COMPILE_ERROR = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_WITH_COMPILE_ERROR")
ALERT_ERROR = 1  # Alert.Format.ERROR
MAX_MESSAGE = 512 * 1024 * 1024  # a page's line table can be a large Arrow payload
COOKIE_NAME = "tandem_session"
# The cookie's value where a page's script sets it: `tandem_session=VALUE` written out, or put
# together in JavaScript as `"tandem_session" + '=' + "VALUE"`.
COOKIE_RES = (re.compile(COOKIE_NAME + r"=([A-Za-z0-9._~%+/=-]+)"),
              re.compile(r"""["']""" + COOKIE_NAME + r"""["']\s*\+\s*["']=["']\s*\+\s*"""
                         r"""["']([^"';\s]+)["']"""))
# Widget elements whose proto has `id` and (for keyed widgets) the key at the end of the id.
WIDGET_TYPES = {"button", "text_input", "selectbox", "checkbox", "number_input", "radio",
                "multiselect", "date_input", "text_area", "slider", "toggle"}


class ProtocolError(Exception):
    """The server closed the stream or answered something a run cannot end with."""


@dataclass
class Page:
    script_hash: str
    name: str
    url: str  # the url path, e.g. "budget"


@dataclass
class Run:
    """What one rerun showed: its time, and what went wrong in it."""
    page: str
    seconds: float = 0.0
    exceptions: list[str] = field(default_factory=list)  # "Type: message" of each exception
    error_boxes: list[str] = field(default_factory=list)  # bodies of st.error boxes
    page_not_found: bool = False
    reruns: int = 0  # runs that ended early for a rerun (st.rerun inside the run)
    bytes_in: int = 0


@dataclass
class Widget:
    id: str
    kind: str
    label: str
    form_id: str = ""


class Session:
    """One client session against a running app at `base_url` (http://host:port)."""

    def __init__(self, base_url: str, cookies: dict[str, str] | None = None) -> None:
        parts = urlsplit(base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        self.base_path = parts.path.rstrip("/")
        self.ws_url = f"{scheme}://{parts.netloc}{self.base_path}/_stcore/stream"
        self.http_base = f"{parts.scheme}://{parts.netloc}{self.base_path}"
        self.cookies = dict(cookies or {})
        self.pages: dict[str, Page] = {}  # url path -> page
        self.current_hash = ""
        self.widgets: dict[str, Widget] = {}  # key (or label when unkeyed) -> widget
        self._ws = None
        self._run: Run | None = None
        self._done: asyncio.Future | None = None
        self._reader: asyncio.Task | None = None
        self._started = False
        self.closed_reason = ""

    # -- connection ---------------------------------------------------------------------------
    async def connect(self, timeout: float = 60.0) -> None:
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self._ws = await asyncio.wait_for(websockets.connect(
            self.ws_url, subprotocols=["streamlit"], additional_headers=headers or None,
            max_size=MAX_MESSAGE, open_timeout=timeout, ping_interval=20, ping_timeout=None,
            compression=None), timeout)
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):
                pass

    # -- runs ---------------------------------------------------------------------------------
    async def open_page(self, url: str = "", timeout: float = 300.0) -> Run:
        """Load the page at url path `url` ("" is the default page), as a click in the menu."""
        if not url and not self.pages:  # the first load of a new session: the default page
            return await self.rerun("", "", {}, timeout=timeout)
        page = self.pages.get(url)
        if page is None:
            raise ProtocolError(f"no page {url!r} in the navigation; saw {sorted(self.pages)}")
        return await self.rerun(page.url, page.script_hash, {}, timeout=timeout)

    async def rerun(self, url: str, script_hash: str, widget_values: dict, *,
                    timeout: float = 300.0) -> Run:
        """Send one rerun and wait for the run to finish; `widget_values` maps widget id to a
        value (str, bool for a trigger, int, float). Returns the run, timed from the send."""
        if self._done is not None and not self._done.done():
            raise ProtocolError("a run is already in flight on this session")
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = ""
        state.page_script_hash = script_hash
        state.page_name = url
        state.context_info.timezone = "UTC"
        state.context_info.timezone_offset = 0
        state.context_info.locale = "en-US"
        state.context_info.url = f"{self.http_base}/{url}"
        for wid, value in widget_values.items():
            ws = state.widget_states.widgets.add()
            ws.id = wid
            if isinstance(value, bool):
                ws.trigger_value = value
            elif isinstance(value, int):
                ws.int_value = value
            elif isinstance(value, float):
                ws.double_value = value
            else:
                ws.string_value = value
        self._run = Run(page=url or "(default)")
        self._done = asyncio.get_running_loop().create_future()
        start = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        try:
            await asyncio.wait_for(asyncio.shield(self._done), timeout)
        except asyncio.TimeoutError:
            raise ProtocolError(f"no script_finished within {timeout:.0f} s") from None
        run = self._run
        run.seconds = time.perf_counter() - start
        return run

    async def wait_quiet(self, seconds: float) -> Run | None:
        """Wait `seconds` for a run the server starts by itself (an app-side rerun after a run
        ended); return it once it finishes, or None if none started."""
        self._run = Run(page="(follow-up)")
        self._done = asyncio.get_running_loop().create_future()
        self._started = False
        start = time.perf_counter()
        try:
            await asyncio.wait_for(asyncio.shield(self._done), seconds)
        except asyncio.TimeoutError:
            if not self._started:
                self._done.cancel()
                return None
            await asyncio.wait_for(asyncio.shield(self._done), 300.0)
        run = self._run
        run.seconds = time.perf_counter() - start
        return run

    # -- reading ------------------------------------------------------------------------------
    async def _read(self) -> None:
        try:
            async for data in self._ws:
                msg = ForwardMsg()
                msg.ParseFromString(data)
                if self._run is not None:
                    self._run.bytes_in += len(data)
                self._handle(msg)
        except websockets.ConnectionClosed as exc:
            self.closed_reason = f"websocket closed: {exc}"
        except Exception as exc:  # a bug here must fail the waiting run, not hang it
            self.closed_reason = f"reader failed: {exc!r}"
        if self._done is not None and not self._done.done():
            self._done.set_exception(ProtocolError(self.closed_reason or "stream ended"))

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "delta":
            self._delta(msg.delta)
        elif kind == "navigation":
            self._navigation(msg.navigation.app_pages, msg.navigation.page_script_hash)
        elif kind == "new_session":
            self.widgets.clear()
            self._started = True
            if msg.new_session.app_pages:
                self._navigation(msg.new_session.app_pages, msg.new_session.page_script_hash)
        elif kind == "page_not_found" and self._run is not None:
            self._run.page_not_found = True
        elif kind == "script_finished":
            status = msg.script_finished
            if status == FINISHED_EARLY:
                if self._run is not None:
                    self._run.reruns += 1
            elif self._done is not None and not self._done.done():
                if status == COMPILE_ERROR and self._run is not None:
                    self._run.exceptions.append("the script failed to compile")
                self._done.set_result(status)

    def _navigation(self, app_pages, page_hash: str) -> None:
        """Pages by url path; the default page's url path is "" on the wire, so it is also
        known by its title in lower case (Budget: "budget") and by ""."""
        pages = {}
        for p in app_pages:
            url = p.url_pathname or p.page_name.lower()
            pages[url] = Page(p.page_script_hash, p.page_name, url)
            if p.is_default:
                pages[""] = pages[url]
        self.pages = pages
        self.current_hash = page_hash

    def page_url(self, script_hash: str) -> str:
        return next((u for u, p in self.pages.items() if u and p.script_hash == script_hash),
                    script_hash)

    def _delta(self, delta) -> None:
        if not delta.HasField("new_element"):
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        run = self._run
        if kind == "exception" and run is not None:
            e = element.exception
            run.exceptions.append(f"{e.type}: {e.message}".strip())
        elif kind == "alert" and run is not None and element.alert.format == ALERT_ERROR:
            run.error_boxes.append(element.alert.body)
        elif kind in WIDGET_TYPES:
            proto = getattr(element, kind)
            wid = proto.id
            parts = wid.split("-", 2)  # "$$ID-<hash>-<key>", the key "None" when unkeyed
            key = parts[2] if len(parts) == 3 and parts[2] != "None" else ""
            widget = Widget(wid, kind, getattr(proto, "label", ""),
                            getattr(proto, "form_id", ""))
            self.widgets[key or f"{kind}:{widget.label}"] = widget
        elif kind in ("html", "markdown", "iframe"):
            self._look_for_cookie(getattr(element, kind))

    def _look_for_cookie(self, proto) -> None:
        """An app may set its sign-in cookie from a snippet of script on the page; keep the value
        so the next connection sends it, as a browser would."""
        for name in ("body", "srcdoc", "src"):
            text = getattr(proto, name, "")
            if COOKIE_NAME not in text:
                continue
            for pattern in COOKIE_RES:
                match = pattern.search(text)
                if match:
                    self.cookies[COOKIE_NAME] = match.group(1)
                    break

    # -- the app's forms ----------------------------------------------------------------------
    def widget(self, key: str) -> Widget:
        try:
            return self.widgets[key]
        except KeyError:
            raise ProtocolError(f"no widget {key!r} on the page; saw {sorted(self.widgets)}")\
                from None

    def submit_button(self, label: str) -> Widget:
        for w in self.widgets.values():
            if w.kind == "button" and w.label == label:
                return w
        raise ProtocolError(f"no button {label!r} on the page")
