"""``mockryze serve``: the standalone contract-testing server."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import Field
from typing import Any, NoReturn

from mockryze import __version__, gcpolicy
from mockryze.core.persist import StateFileError
from mockryze.core.settings import (
    ENV_PREFIX,
    SettingError,
    Settings,
    checked_value,
    flag_name,
    metavar,
    option_fields,
    show_value,
)
from mockryze.core.stats import track_gc_pauses
from mockryze.core.world import World
from mockryze.http.app import create_app, openapi_document
from mockryze.server import ensure_bindable, serve_until_signalled

USAGE_ERROR = 2


class OneLineParser(argparse.ArgumentParser):
    """A refused ``serve`` flag is one line naming it, not the whole usage block over it."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mockryze", description="A local, stateful mock of RyzeAPI.")
    parser.add_argument("--version", action="version", version=f"mockryze {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    serve = commands.add_parser("serve", help="run the mock server (HTTP + WebSocket) on Hypercorn")
    for f in option_fields():
        help_text = f"{f.metadata.get('help', '')} (env {ENV_PREFIX}{f.name.upper()}, default {show_value(f.default)})"
        repeatable = bool(f.metadata.get("repeatable"))
        flags = ["--" + flag_name(f)] + (["--" + f.name.replace("_", "-")] if repeatable else [])
        serve.add_argument(
            *flags, dest=f.name, default=None, metavar=metavar(f), action="append" if repeatable else "store",
            type=converter(f), choices=f.metadata.get("choices"),
            help=help_text.replace("%", "%%"),  # argparse formats help with %
        )
    serve.add_argument("--scenario", dest="scenario", action="append", default=None, metavar="FILE",
                       help="load this scenario (YAML or JSON) at start-up; repeatable")
    commands.add_parser("openapi", help="print the OpenAPI 3.1 document (generated from schemas/)")
    scenario = commands.add_parser("scenario", help="check a scenario file, or play it against a running server")
    actions = scenario.add_subparsers(dest="action", required=True, parser_class=OneLineParser)
    check = actions.add_parser("check", help="validate a scenario file (the failing field's path on refusal)")
    check.add_argument("file", metavar="FILE")
    run = actions.add_parser("run", help="load a scenario into a running server over its control plane")
    run.add_argument("file", metavar="FILE")
    run.add_argument("--against", required=True, metavar="URL", help="the server's base URL")
    run.add_argument("--account-token", default="", metavar="TOKEN",
                     help="act for this account (default: the server's default account)")
    run.add_argument("--control-token", default=None, metavar="TOKEN", help="the server's --control-token")
    run.add_argument("--no-advance", action="store_true",
                     help="leave the timeline to the server's clock (default: advance the virtual clock through it)")
    verify = commands.add_parser("verify", help="measure drift: play a fixed read-only probe set against a RyzeAPI"
                                                " URL and a fresh mock side by side (exit 0: no drift)")
    verify.add_argument("--base-url", required=True, help="the RyzeAPI (or any) URL to probe")
    verify.add_argument("--account-token", required=True, help="a TokenAccount on that URL")
    verify.add_argument("--instance", required=True, help="an instance of that account to probe")
    verify.add_argument("--allow-sends", metavar="NUMBER", default=None,
                        help="also send one text message to NUMBER (never without this flag)")
    verify.add_argument("--json", action="store_true", help="the report as JSON (for CI)")
    verify.add_argument("--webhook-receiver", metavar="URL", default=None,
                        help="also compare event payloads: a URL the service can reach that ends up at"
                             " --webhook-listen (a webhook labelled mockryze-verify is set, then disabled)")
    verify.add_argument("--webhook-listen", metavar="HOST:PORT", default=None,
                        help="where this command receives those events (default: the receiver URL's host and port)")
    verify.add_argument("--timeout", type=float, default=15.0, help="seconds per request (default 15)")
    return parser


def _listen_address(listen: str | None, receiver: str | None) -> tuple[str, int] | None:
    from urllib.parse import urlsplit

    if receiver is None:
        return None
    if listen:
        host, _, port = listen.rpartition(":")
        return host or "0.0.0.0", int(port)
    parts = urlsplit(receiver)
    return parts.hostname or "127.0.0.1", parts.port or (443 if parts.scheme == "https" else 80)


def verify_command(args: argparse.Namespace) -> int:
    import httpx  # here: `serve` does not pay for it at start-up

    from mockryze import verify

    try:
        with httpx.Client(base_url=args.base_url, timeout=args.timeout) as client:
            outcomes = verify.run(client, args.account_token, args.instance, args.allow_sends,
                                  webhook_receiver=args.webhook_receiver,
                                  webhook_listen=_listen_address(args.webhook_listen, args.webhook_receiver))
    except httpx.HTTPError as exc:
        print(f"mockryze: verify: cannot reach {args.base_url}: {exc}", file=sys.stderr)
        return USAGE_ERROR
    if args.json:
        print(json.dumps(verify.report_json(outcomes, args.base_url, args.instance), indent=1, ensure_ascii=False))
    else:
        print(verify.report_table(outcomes))
    return 1 if any(o.drift for o in outcomes) else 0


def converter(f: Field[Any]) -> Callable[[str], Any]:
    """One option's text parsed and checked against its rule; argparse puts ``argument --flag:`` before
    the reason (``invalid on|off value: 'maybe'``, ``must be between 1 and 65535, not 70000``)."""
    def convert(raw: str) -> Any:
        try:
            return checked_value(f, raw)
        except SettingError as error:
            raise argparse.ArgumentTypeError(error.reason) from None

    return convert


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "openapi":
        print(json.dumps(openapi_document(), indent=2, ensure_ascii=False))
        return 0
    if args.command == "scenario":
        return scenario_command(args)
    if args.command == "verify":
        return verify_command(args)
    explicit: dict[str, Any] = {k: ",".join(v) if isinstance(v, list) else v  # a repeatable flag's values
                                for k, v in vars(args).items() if k not in ("command", "scenario") and v is not None}
    try:
        settings = Settings.from_sources(**explicit)
        ensure_bindable(settings.host, settings.port)
    except SettingError as exc:
        print(f"mockryze: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except OSError as exc:
        print(f"mockryze: cannot listen on {settings.host}:{settings.port} (--host, --port): {exc.strerror or exc}",
              file=sys.stderr)
        return USAGE_ERROR
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if "base_url" not in explicit:
        settings = settings.replace(base_url=f"http://{settings.host}:{settings.port}")
    try:
        world = World(settings)
    except StateFileError as exc:
        print(f"mockryze: --state: {exc}", file=sys.stderr)
        return 1
    app = create_app(world)
    try:
        played = [start_scenario(world, app, path) for path in args.scenario or []]
    except ScenarioError as error:
        print(f"mockryze: {error.args[1] if len(error.args) > 1 else error}", file=sys.stderr)
        return USAGE_ERROR
    if warning := open_control_plane(settings):
        print(warning, file=sys.stderr, flush=True)
    print(banner(settings, world.default_account.token), flush=True)
    for line in played:
        print(line, flush=True)
    track_gc_pauses()  # GET /__mock__/stats: GC pause times (a few hundred ns per collection)
    collector = gcpolicy.FreezeSurvivors()
    collector.start()
    try:
        asyncio.run(serve_until_signalled(app, settings.host, settings.port, background=collector.run))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"mockryze: cannot listen on {settings.host}:{settings.port}: {exc}", file=sys.stderr)
        return 1
    print("mockryze: stopped", flush=True)
    return 0


class ScenarioError(Exception):
    """A scenario file refused at start-up: ``args`` = (the loader's error, the line to print)."""


def start_scenario(world: World, app: Any, path: str) -> str:
    from mockryze.scenarios import loader, runner

    try:
        player = runner.start(world, app.state.channels, loader.load(path))
    except loader.ScenarioError as error:
        raise ScenarioError(error, f"{path}: {error}") from None
    view = player.view(world)
    return f"  scenario        {view['name']} ({view['steps']} steps over {view['end']:g} virtual s) from {path}"


def scenario_command(args: argparse.Namespace) -> int:
    """``mockryze scenario check FILE`` / ``mockryze scenario run FILE --against URL``."""
    from mockryze.scenarios import loader

    try:
        document = loader.read(args.file)
        loader.load(document)
    except loader.ScenarioError as error:
        print(f"mockryze: {args.file}: {error}", file=sys.stderr)
        return USAGE_ERROR
    if args.action == "check":
        print(f"{args.file}: ok")
        return 0
    import httpx

    from mockryze.core.errors import ApiError
    from mockryze.testing.control import RemoteControl

    remote = RemoteControl(args.against, args.account_token, args.control_token)
    try:
        state = remote.play(document, run=not args.no_advance)
    except ApiError as error:
        print(f"mockryze: {args.against} refused the scenario: {error} ({error.detail})", file=sys.stderr)
        return 1
    except (OSError, httpx.HTTPError) as error:
        print(f"mockryze: cannot reach {args.against}: {error}", file=sys.stderr)
        return 1
    finally:
        remote.close()
    print(json.dumps(state, indent=2, ensure_ascii=False))
    return 1 if state["errors"] else 0


def open_control_plane(settings: Settings) -> str | None:
    """The warning for a server reachable beyond this machine whose control plane needs no token."""
    if settings.control_token or _loopback(settings.host):
        return None
    return (f"mockryze: warning: listening on {settings.host} without --control-token: the control plane "
            "(/__mock__: every account's events, reset, the clock) is open to anyone who can reach the port")


def _loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def banner(settings: Settings, account_token: str) -> str:
    base = settings.base_url
    return "\n".join([
        f"mockryze {__version__} — a local mock of RyzeAPI",
        f"  base URL        {base}",
        f"  account token   {account_token}",
        f"  profile {settings.profile}{quirk_note(settings)}"
        f" · rate limits {'on' if settings.rate_limits else 'off'} · seed {settings.seed}"
        f" · instance limit {settings.instance_limit}",
        f"  control plane   {base}/__mock__/  (contract table: {base}/__mock__/contract)",
        *([f"  sandbox         {base}/  (open it in a browser)"] if settings.sandbox else []),
        *([f"  state           {settings.state}  (the world is kept there across restarts)"] if settings.state else []),
        f"  try: curl -H 'token: {account_token}' {base}/api/instance/list",
        "  Ctrl-C to stop",
    ])


def quirk_note(settings: Settings) -> str:
    """The quirks set over the profile, as the banner shows them: `` + reply_field=off``."""
    return f" + {settings.quirks}" if settings.quirks else ""


if __name__ == "__main__":
    raise SystemExit(main())
