"""``magicbooth effects``: list the effects, their titles and the models each needs."""

from __future__ import annotations

import argparse
import json

from magicbooth.commands import Context

HELP = "list effects with their titles and the models each needs, and whether hand gestures are available"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help='print [{"name", "title", "needs"}, ...] (the effects '
                        'only; gestures: magicbooth doctor --json)')
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
    print(gestures_line(ctx))
    return 0


def gestures_line(ctx: Context) -> str:
    """One line after the table: can the booth take hand gestures here, and does the config turn them on."""
    from magicbooth.perception.hands import models_available

    ok, detail = models_available()
    switch = "on" if ctx.config.booth.gestures else "off: set [booth] gestures = true"
    if ok:
        return f"gestures: available ({switch}); open palm held 1 s starts, thumb up keeps, thumb down retakes, " \
               "swipe changes the effect"
    return f"gestures: not available ({detail})"
