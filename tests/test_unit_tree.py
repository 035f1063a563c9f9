"""tree.py: the one walk over a folder (themes' static files, content discovery, the writer's scans)."""

from __future__ import annotations

from pathlib import Path

from generator.tree import file_entries, files, hidden, iter_tree


def lay(root: Path, names: list[str]) -> Path:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name, encoding="utf-8")
    return root


def test_files_are_sorted_as_paths_are_folder_by_folder(tmp_path: Path) -> None:
    lay(tmp_path, ["b.txt", "a-c.txt", "a/b.txt", "a/z/y.txt", "A.txt"])
    assert files(tmp_path) == ["A.txt", "a/b.txt", "a/z/y.txt", "a-c.txt", "b.txt"]
    assert files(tmp_path) == [p.relative_to(tmp_path).as_posix() for p in sorted(tmp_path.rglob("*"))
                               if p.is_file()]


def test_links_to_folders_are_never_entered_links_to_files_count(tmp_path: Path) -> None:
    root = lay(tmp_path / "root", ["real/x.txt"])
    lay(tmp_path / "outside", ["secret.txt"])
    (root / "out").symlink_to(tmp_path / "outside", target_is_directory=True)
    (root / "loop").symlink_to(root, target_is_directory=True)
    (root / "file-link").symlink_to(tmp_path / "outside" / "secret.txt")
    (root / "dangling").symlink_to(tmp_path / "nowhere")
    assert files(root) == ["file-link", "real/x.txt"]
    everything = {name: entry.is_dir(follow_symlinks=False) for name, entry in iter_tree(root)}
    assert everything == {"real": True, "real/x.txt": False, "out": False, "loop": False, "file-link": False,
                          "dangling": False}


def test_prune_leaves_out_hidden_files_and_does_not_enter_hidden_folders(tmp_path: Path) -> None:
    lay(tmp_path, [".git/config", "a/.x.swp", "a/b.css", ".hidden.css", "c.css"])
    assert files(tmp_path, prune=hidden) == ["a/b.css", "c.css"]
    assert not [name for name, _ in iter_tree(tmp_path, prune=hidden) if name.startswith(".git")]


def test_entries_carry_their_stat_and_a_missing_folder_is_empty(tmp_path: Path) -> None:
    lay(tmp_path, ["a/b.txt"])
    [(name, entry)] = file_entries(tmp_path)
    assert name == "a/b.txt" and entry.stat().st_size == len("a/b.txt")
    assert files(tmp_path / "missing") == [] and files(tmp_path / "a" / "b.txt") == []
