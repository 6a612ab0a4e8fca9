"""``magicbooth clips [list | show ID | delete ID]``: the clip library from the command line."""

from __future__ import annotations

import argparse
import json
import sys

from magicbooth.commands import Context
from magicbooth.core.errors import UsageError
from magicbooth.library.clips import PARTIAL_DIR, Clip, UploadState, delete_clip, find_clip, iter_clips
from magicbooth.library.paths import clips_root
from magicbooth.library.storage import MB, storage_status

HELP = "list the recorded clips, show one clip's metadata, or delete a clip"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="every clip with duration, size, effect and upload state (default)")
    listing.add_argument("--json", action="store_true", help="machine-readable output")
    show = actions.add_parser("show", help="one clip's metadata")
    show.add_argument("id", help="clip id (a unique prefix is enough)")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    delete = actions.add_parser("delete", help="delete a clip (asks first unless --yes)")
    delete.add_argument("id", help="clip id (a unique prefix is enough)")
    delete.add_argument("--yes", "-y", action="store_true", help="delete without asking")


def run(args: argparse.Namespace, ctx: Context) -> int:
    root = clips_root(ctx.config)
    if args.action in (None, "list"):
        return _list(root, ctx, getattr(args, "json", False))
    clip = find_clip(root, args.id)
    if args.action == "show":
        meta = {**clip.meta, "path": str(clip.video)}
        if args.json:
            print(json.dumps(meta, indent=2, sort_keys=True))
        else:
            width = max(len(k) for k in meta)
            for key in sorted(meta):
                print(f"{key:<{width}}  {meta[key]}")
        return 0
    return _delete(clip, args.yes)


def _row(clip: Clip) -> tuple[str, ...]:
    meta = clip.meta
    size = meta.get("size_bytes") or (clip.video.stat().st_size if clip.video.exists() else 0)
    return (clip.id, f"{meta.get('duration_s', 0):.1f} s", f"{size / MB:.1f} MB", meta.get("effect") or "-",
            clip.upload_state)


def _list(root, ctx: Context, as_json: bool) -> int:
    clips = list(iter_clips(root))
    status = storage_status(root, ctx.config.storage)
    if as_json:
        print(json.dumps({"clips": [{**c.meta, "path": str(c.video)} for c in clips],
                          "storage": {"root": str(status.root), "free_bytes": status.free_bytes,
                                      "level": status.level}}, indent=2, sort_keys=True))
        return 0
    header = ("ID", "DURATION", "SIZE", "EFFECT", "UPLOAD")
    rows = [header, *(_row(c) for c in clips)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    if clips:
        for row in rows:
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    else:
        print(f"no clips in {root}")
    print(status.message)
    leftovers = sorted((root / PARTIAL_DIR).glob("*.mp4")) if (root / PARTIAL_DIR).is_dir() else []
    if leftovers:
        print(f"{len(leftovers)} file(s) in {root / PARTIAL_DIR}: unfinished or unplayable recordings; "
              f"the recorder recovers unfinished ones when it next starts")
    return 0


def _delete(clip: Clip, yes: bool) -> int:
    state = clip.upload_state
    warning = ("" if state == UploadState.UPLOADED
               else f" It was never uploaded (upload state: {state}); this is its only copy.")
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(f"not deleting clip {clip.id} without confirmation; pass --yes")
        answer = input(f"Delete clip {clip.id} ({clip.video})?{warning} [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("kept")
            return 1
    delete_clip(clip)
    print(f"deleted {clip.id}")
    return 0
