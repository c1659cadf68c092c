"""``greenballot neighbourhood add|list|retire`` and ``greenballot keys [rotate --purpose P]``."""

from __future__ import annotations

import argparse
import json

__all__ = ["register"]


def _neighbourhood_add(args: argparse.Namespace) -> int:
    from voting.admin.neighbourhoods import create_neighbourhood
    from voting.commands.runtime import CLIError, prepare_database, run_in_session

    boundary = None
    if args.boundary:
        try:
            with open(args.boundary, encoding="utf-8") as handle:
                boundary = json.load(handle)
        except (OSError, ValueError) as error:
            raise CLIError(f"cannot read GeoJSON from {args.boundary}: {error}", 2) from error
    _, url = prepare_database()

    async def work(session):  # type: ignore[no-untyped-def]
        return await create_neighbourhood(session, actor="cli", slug=args.slug, name_fr=args.name_fr,
                                          name_en=args.name_en or args.name_fr, population=args.population,
                                          boundary=boundary, postcodes=args.postcode)

    hood = run_in_session(url, work)
    print(f"created neighbourhood {hood.slug} ({hood.name_fr} / {hood.name_en})")
    return 0


def _neighbourhood_list(args: argparse.Namespace) -> int:
    from voting.city import list_neighbourhoods
    from voting.commands.runtime import prepare_database, run_in_session

    _, url = prepare_database()

    async def work(session):  # type: ignore[no-untyped-def]
        return await list_neighbourhoods(session, include_retired=True)

    for hood in run_in_session(url, work):
        retired = " (retired)" if hood.retired_at else ""
        postcodes = ",".join(hood.postcodes or [])
        print(f"{hood.slug}\t{hood.name_fr}\t{hood.name_en}\t{hood.population or ''}\t{postcodes}{retired}")
    return 0


def _neighbourhood_retire(args: argparse.Namespace) -> int:
    from voting.admin.neighbourhoods import retire_neighbourhood
    from voting.commands.runtime import prepare_database, run_in_session

    _, url = prepare_database()

    async def work(session):  # type: ignore[no-untyped-def]
        return await retire_neighbourhood(session, actor="cli", slug=args.slug)

    run_in_session(url, work)
    print(f"retired neighbourhood {args.slug}")
    return 0


def _keys(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from auth.key_rotation import rotate_key
    from auth.keys import ensure_key, published_keys
    from voting.commands.runtime import CLIError, prepare_database, run_in_session

    settings, url = prepare_database()
    grace = args.grace if getattr(args, "grace", None) is not None else settings.token_ttl_seconds
    if getattr(args, "grace", None) is not None and args.purpose != "tokens":
        raise CLIError("--grace applies to --purpose tokens only (old signing keys verify forever)", 2)

    async def work(session):  # type: ignore[no-untyped-def]
        if args.keys_command == "rotate":
            row = await rotate_key(session, purpose=args.purpose, actor="cli", grace=timedelta(seconds=grace))
            return row.kid
        for purpose in ("tokens", "signing"):
            await ensure_key(session, purpose)
        return await published_keys(session)

    result = run_in_session(url, work)
    if args.keys_command == "rotate" and args.purpose == "tokens":
        print(f"new tokens key {result}; tokens signed by the old key stop working in {grace} seconds; "
              "its private half is destroyed")
    elif args.keys_command == "rotate":
        print(f"new signing key {result}; the old one's private half is destroyed, its public half stays "
              "published so earlier exports still verify")
    else:
        print(json.dumps(result, indent=2))
    return 0


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    hood = commands.add_parser("neighbourhood", help="manage neighbourhoods")
    actions = hood.add_subparsers(dest="neighbourhood_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="create a neighbourhood")
    add.add_argument("slug")
    add.add_argument("--name-fr", required=True)
    add.add_argument("--name-en", default="")
    add.add_argument("--population", type=int)
    add.add_argument("--postcode", action="append", default=[], help="postcode used by eligibility (repeatable)")
    add.add_argument("--boundary", metavar="FILE.geojson", help="a GeoJSON Polygon or MultiPolygon")
    add.set_defaults(func=_neighbourhood_add)
    actions.add_parser("list", help="list neighbourhoods (tab-separated)").set_defaults(func=_neighbourhood_list)
    retire = actions.add_parser("retire", help="retire a neighbourhood (kept for history)")
    retire.add_argument("slug")
    retire.set_defaults(func=_neighbourhood_retire)

    keys = commands.add_parser("keys", help="print the public keys, or rotate a key")
    key_actions = keys.add_subparsers(dest="keys_command", metavar="ACTION")
    rotate = key_actions.add_parser("rotate", help="make a new current key; old public keys stay published")
    rotate.add_argument("--purpose", required=True, choices=["tokens", "signing"])
    rotate.add_argument("--grace", type=int, metavar="SECONDS",
                        help="tokens: how long tokens signed by the old key keep working (default: the token "
                             "lifetime; 0 ends them at once, after a leak)")
    keys.set_defaults(func=_keys, keys_command=None)
