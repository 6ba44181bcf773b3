"""The machine's cache (core/cache.py) and the web fonts kept there: whole entries, no links."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from generator.core import cache
from generator.rendering import webfonts

RECIPE = "a" * 64
FILES = {"Uno.woff2": b"fuente ficticia A" * 100, "LICENSE-ejemplo.txt": b"licencia ficticia"}


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENVIRONMENT, str(folder))
    return folder


def test_an_entry_is_kept_and_read_back_whole(cache_dir):
    assert cache.load("webfonts", RECIPE) is None
    assert cache.store("webfonts", RECIPE, FILES)
    assert cache.load("webfonts", RECIPE) == FILES
    # Only the entry is left: no temporary folder.
    assert sorted(path.name for path in (cache_dir / "webfonts").iterdir()) == [RECIPE]


def test_the_user_cache_folder_is_used_unless_told_otherwise(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.ENVIRONMENT, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.folder() == tmp_path / "xdg" / "carta"


def test_an_altered_file_or_a_missing_manifest_is_no_entry(cache_dir):
    cache.store("webfonts", RECIPE, FILES)
    entry = cache_dir / "webfonts" / RECIPE
    (entry / "Uno.woff2").write_bytes(b"fuente ficticia A")  # cut short
    assert cache.load("webfonts", RECIPE) is None
    # A second build replaces the broken entry with a whole one.
    assert cache.store("webfonts", RECIPE, FILES)
    assert cache.load("webfonts", RECIPE) == FILES
    (entry / cache.MANIFEST).unlink()  # as if a writer had stopped before its last file
    assert cache.load("webfonts", RECIPE) is None


def test_a_link_planted_in_the_cache_is_never_followed(cache_dir, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "private.txt").write_text("datos ficticios de la Organización Ejemplo A")
    kind = cache_dir / "webfonts"
    kind.mkdir(parents=True)
    (kind / RECIPE).symlink_to(elsewhere, target_is_directory=True)

    assert cache.load("webfonts", RECIPE) is None
    assert cache.store("webfonts", RECIPE, FILES)  # the link is moved aside, not written through
    assert sorted(path.name for path in elsewhere.iterdir()) == ["private.txt"]
    assert not (kind / RECIPE).is_symlink()
    assert cache.load("webfonts", RECIPE) == FILES

    # A linked file inside an entry, even one with the right bytes, is refused.
    target = tmp_path / "Uno.woff2"
    target.write_bytes(FILES["Uno.woff2"])
    (kind / RECIPE / "Uno.woff2").unlink()
    (kind / RECIPE / "Uno.woff2").symlink_to(target)
    assert cache.load("webfonts", RECIPE) is None


def test_a_linked_kind_folder_is_neither_read_nor_written(cache_dir, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cache_dir.mkdir()
    (cache_dir / "webfonts").symlink_to(elsewhere, target_is_directory=True)
    assert cache.store("webfonts", RECIPE, FILES) is False
    assert cache.load("webfonts", RECIPE) is None
    assert list(elsewhere.iterdir()) == []


def test_a_cache_that_cannot_be_written_is_only_slower(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("no es una carpeta")
    monkeypatch.setenv(cache.ENVIRONMENT, str(blocker / "cache"))
    assert cache.store("webfonts", RECIPE, FILES) is False
    assert cache.load("webfonts", RECIPE) is None


def test_names_that_are_not_plain_file_names_are_refused(cache_dir):
    assert cache.load("webfonts", "../fuera") is None
    with pytest.raises(ValueError):
        cache.store("webfonts", RECIPE, {"../fuera.txt": b"x"})


def _store_in_a_process(args) -> bool:
    folder, number = args
    os.environ[cache.ENVIRONMENT] = folder
    return cache.store("webfonts", RECIPE, FILES)


def test_concurrent_writers_leave_one_whole_entry(cache_dir):
    context = multiprocessing.get_context("fork")
    with context.Pool(4) as pool:
        results = pool.map(_store_in_a_process, [(str(cache_dir), n) for n in range(8)])
    assert all(results)
    assert cache.load("webfonts", RECIPE) == FILES
    assert sorted(path.name for path in (cache_dir / "webfonts").iterdir()) == [RECIPE]


@pytest.fixture
def fake_subsetter(monkeypatch):
    """webfonts' subsetter replaced by one that counts its calls; the process's copy of the
    files is forgotten before and after, so no other test sees the fake files."""
    calls = []

    def subset():
        calls.append(1)
        return {name: f"subconjunto ficticio {name}".encode() for name in _wanted()}

    monkeypatch.setattr(webfonts, "_subset", subset)
    webfonts._files.cache_clear()
    yield calls
    webfonts._files.cache_clear()


def _wanted() -> set[str]:
    return {webfonts.woff2_name(face[2]) for face in webfonts.FACES} \
        | set(webfonts._LICENCES.values())


def test_web_fonts_are_subset_once_per_machine_not_once_per_process(cache_dir, fake_subsetter,
                                                                    tmp_path):
    first = tmp_path / "output" / "carta-a"
    webfonts.write(first)
    assert len(fake_subsetter) == 1
    webfonts._files.cache_clear()  # as a new process would start

    second = tmp_path / "output" / "carta-b"
    webfonts.write(second)
    assert len(fake_subsetter) == 1  # read from the cache, not made again
    for name in _wanted():
        assert (second / webfonts.FOLDER / name).read_bytes() \
            == (first / webfonts.FOLDER / name).read_bytes()
    assert webfonts.current(second)


def test_web_fonts_are_made_again_when_the_cache_entry_is_broken(cache_dir, fake_subsetter,
                                                                 tmp_path):
    webfonts.write(tmp_path / "output" / "carta-a")
    entry = cache_dir / webfonts.CACHE_KIND / webfonts.recipe()
    next(entry.glob("*.woff2")).write_bytes(b"")
    webfonts._files.cache_clear()
    webfonts.write(tmp_path / "output" / "carta-b")
    assert len(fake_subsetter) == 2
    assert cache.load(webfonts.CACHE_KIND, webfonts.recipe()) is not None
