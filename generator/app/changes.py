"""Batches of changed project files, from file notifications or, where those fail, by polling."""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from ..core.project import Project

# After the first change of a burst (an editor writes a temporary file, then renames it),
# wait this long for quiet before rebuilding: short enough to stay unnoticed. watchfiles looks
# every STEP_MS and gives the batch at the first look that finds nothing new, so a save waits
# one to two steps (with 30 ms, 40 to 60 ms of the 150 an author may wait for the page); an
# editor's writes of one save come within a millisecond of each other.
STEP_MS = 10
DEBOUNCE_MS = 400


def snapshot(project: Project) -> dict[Path, tuple[int, int]]:
    """Size and modification time of every file a build reads (the polling fallback)."""
    files = {}
    roots = [project.content, *project.template_dirs(), project.root / "carta.toml"]
    for root in roots:
        paths = [root] if root.is_file() else root.rglob("*") if root.is_dir() else []
        for path in paths:
            try:
                stat = path.stat()
            except OSError:
                continue  # removed while we looked: the next look sees it gone
            if path.is_file():
                files[path] = (stat.st_mtime_ns, stat.st_size)
    return files


class ChangeFeed:
    """Batches of changed paths: from file notifications, or by polling when they fail.

    Two notification watchers run: one over content/ and the template folders (recursive),
    one over the project folder itself (not recursive: it holds output/ and, in a repository,
    a virtual environment), for carta.toml and a templates/ folder created later."""

    def __init__(self, project: Project, interval: float = 1.0, notify: bool = True,
                 report: Callable[[str], None] = lambda message: None):
        self.project = project
        self.interval = interval
        self.report = report
        self.mode = "notify" if notify else "poll"
        self._queue: queue.Queue[set[Path]] = queue.Queue()
        self._stop = threading.Event()
        self._restart_tree = threading.Event()
        self._fallback_lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def start(self) -> ChangeFeed:
        if self.mode == "notify":
            try:
                import watchfiles  # noqa: F401  only checks that notifications can be had
            except ImportError:
                self.mode = "poll"
                self.report(f"watchfiles is not installed: looking for changes every "
                            f"{self.interval:g} s")
        if self.mode == "notify":
            self._spawn(self._watch_tree)
            self._spawn(self._watch_top)
        else:
            self._spawn(self._poll)
        return self

    def next(self, timeout: float) -> set[Path]:
        """The paths changed since the last call, waiting up to `timeout` seconds for one;
        batches that queued up meanwhile come together (one rebuild for all of them)."""
        try:
            changed = set(self._queue.get(timeout=timeout))
        except queue.Empty:
            return set()
        while True:
            try:
                changed |= self._queue.get_nowait()
            except queue.Empty:
                return changed

    def push(self, paths: Iterable[Path]) -> None:
        """Queue paths as changed (a rebuild that could not run puts its paths back)."""
        paths = set(paths)
        if paths:
            self._queue.put(paths)

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def _spawn(self, target) -> None:
        thread = threading.Thread(target=target, name=f"carta-{target.__name__}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _watch(self, paths: list[Path], recursive: bool, stop, keep) -> bool:
        """Run one notification watcher until `stop`; False if notifications failed."""
        import watchfiles

        try:
            for changes in watchfiles.watch(
                    *paths, watch_filter=keep, debounce=DEBOUNCE_MS, step=STEP_MS,
                    stop_event=stop, rust_timeout=1000, raise_interrupt=False,
                    recursive=recursive):
                self.push(Path(path) for _, path in changes)
        except (OSError, RuntimeError) as error:  # no inotify, too many watches, ...
            self._fall_back(error)
            return False
        return True

    def _watch_tree(self) -> None:
        default = _default_filter()
        while not self._stop.is_set():
            self._restart_tree.clear()
            folders = [self.project.content, *self.project.template_dirs()]
            stop = _Either(self._stop, self._restart_tree)
            if not self._watch([path for path in folders if path.is_dir()], True, stop,
                               default):
                return

    def _watch_top(self) -> None:
        root = self.project.root
        names = {"carta.toml", "templates", "content"}

        def keep(change, path: str) -> bool:
            name = os.path.basename(path)
            if name in ("templates", "content") and os.path.dirname(path) == str(root) \
                    and change != change.modified:
                # A folder the tree watcher must now cover (or stop covering): what is
                # already inside it counts as changed too.
                folder = Path(path)
                self.push(list(folder.rglob("*")) if folder.is_dir() else [])
                self._restart_tree.set()
            return name in names

        self._watch([root], False, self._stop, keep)

    def _fall_back(self, error: Exception) -> None:
        with self._fallback_lock:
            if self.mode == "poll" or self._stop.is_set():
                return
            self.mode = "poll"
            self.report(f"file notifications failed ({error}): looking for changes every "
                        f"{self.interval:g} s instead")
            self._restart_tree.set()
            self._spawn(self._poll)

    def _poll(self) -> None:
        seen = snapshot(self.project)
        while not self._stop.wait(self.interval):
            current = snapshot(self.project)
            if current != seen:
                self.push(path for path in current.keys() | seen.keys()
                          if current.get(path) != seen.get(path))
                seen = current


class _Either:
    """Set when either event is: what watchfiles checks to stop."""

    def __init__(self, *events: threading.Event):
        self.events = events

    def is_set(self) -> bool:
        return any(event.is_set() for event in self.events)


def _default_filter():
    from watchfiles import DefaultFilter

    # Editors' swap and backup files, version control and caches are no change to content.
    return DefaultFilter()
