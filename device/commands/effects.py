"""``magicbooth effects``: list the effects, their titles and the models each needs."""

from __future__ import annotations

import argparse
import json

from magicbooth.commands import Context

HELP = "list effects with their titles and the models each needs (--json for scripts)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help='print [{"name", "title", "needs"}, ...]')
    parser.add_argument("--options", action="store_true", help="also list each effect's --option keys")


def run(args: argparse.Namespace, ctx: Context) -> int:
    from magicbooth import effects
    table = effects.describe()
    if args.json:
        print(json.dumps(table))
        return 0
    width = max(len(row["name"]) for row in table)
    title_width = max(len(row["title"]) for row in table)
    for row in table:
        needs = ", ".join(row["needs"]) or "-"
        print(f"{row['name']:<{width}}  {row['title']:<{title_width}}  needs: {needs}")
        if args.options:
            for opt in effects.get(row["name"]).Options.describe():
                choices = f" ({'|'.join(map(str, opt['choices']))})" if opt["choices"] else ""
                print(f"{'':<{width}}    {opt['name']}={opt['default']}{choices}  {opt['doc']}")
    from magicbooth.perception.loading import far_faces

    available, detail = far_faces(ctx.config)
    print(f"\nfar faces: {'available' if available else 'not available'} — {detail}")
    return 0
