"""The app's server process for load benchmarks: start it, find it, and watch it in /proc.

`Watcher` samples the resident memory of the server and its children every 100 ms in a thread
and keeps the peak per named phase; `cpu_seconds` reads utime + stime (plus that of reaped
children) from /proc/<pid>/stat, so CPU spent per session is a difference of two readings.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")
MIB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(store: Path | str, port: int, log: Path, root: Path = ROOT) -> subprocess.Popen:
    """`streamlit run dashboard/app.py` of the checkout at `root` on `store` (a DuckDB file or
    a PostgreSQL URL), headless, its output in `log`."""
    env = {**os.environ, "TANDEM_DB": str(store)}
    cmd = [sys.executable, "-m", "streamlit", "run", str(root / "dashboard" / "app.py"),
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.headless", "true", "--server.fileWatcherType", "none",
           "--server.runOnSave", "false", "--browser.gatherUsageStats", "false"]
    out = log.open("w")
    return subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)


def wait_healthy(url: str, proc: subprocess.Popen | None, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the app exited with {proc.returncode} before it was up")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"{url} not healthy within {timeout:.0f} s")


def stop_app(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def listening_pid(port: int) -> int | None:
    """The pid of the process of ours that listens on TCP `port` (for --url), or None."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if int(cols[1].rsplit(":", 1)[1], 16) == port and cols[3] == "0A":  # LISTEN
                inodes.add(f"socket:[{cols[9]}]")
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                    return int(pid)
        except OSError:
            continue
    return None


def children(pid: int) -> list[int]:
    """The direct children of `pid`."""
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            found += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
    except OSError:
        pass
    return found


def tree(pid: int) -> list[int]:
    """`pid` and its descendants."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children(p))
    return found


def rss_bytes(*pids: int) -> int:
    """The resident memory of these processes and their descendants."""
    total = 0
    for p in (q for pid in pids for q in tree(pid)):
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def cpu_seconds(*pids: int) -> float:
    """utime + stime of these processes, their live descendants, and the children they have
    reaped."""
    total = 0
    for p in (q for pid in pids for q in tree(pid)):
        try:
            stat = Path(f"/proc/{p}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (comm) "
        total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return total / TICK


def machine_busy_seconds() -> float:
    """CPU-seconds all cores of the machine have spent busy since boot (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / TICK


class Watcher:
    """Samples the RSS of process trees (the servers) every `interval` seconds, summed;
    `phase(name)` starts a new phase, whose peak is kept separately. Also keeps a 1-second
    timeline for the JSON."""

    def __init__(self, pids: list[int], interval: float = 0.1) -> None:
        self.pids, self.interval = pids, interval
        self.peaks: dict[str, int] = {}
        self.timeline: list[tuple[float, int]] = []
        self.samples = 0
        self._phase = "start"
        self._stop = threading.Event()
        self._t0 = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Watcher:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def phase(self, name: str) -> None:
        self._phase = name
        self.peaks.setdefault(name, rss_bytes(*self.pids))

    def now(self) -> int:
        return rss_bytes(*self.pids)

    @property
    def peak(self) -> int:
        return max(self.peaks.values(), default=0)

    def _run(self) -> None:
        last_mark = -1.0
        while not self._stop.is_set():
            rss = rss_bytes(*self.pids)
            self.samples += 1
            phase = self._phase
            self.peaks[phase] = max(self.peaks.get(phase, 0), rss)
            t = time.monotonic() - self._t0
            if t - last_mark >= 1.0:
                self.timeline.append((round(t, 1), rss))
                last_mark = t
            self._stop.wait(self.interval)
