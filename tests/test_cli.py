"""``mockryze serve`` as a real process, its environment variables, and ``MockRyze().serve()``."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import fields
from typing import IO

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from mockryze.cli import main
from mockryze.core import literals
from mockryze.core.settings import SettingError, Settings
from mockryze.testing.api import MockRyze
from tests.conftest import CheckedClient, error_of

START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
LIST = "/api/instance/list"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCKRYZE_")}
    env.update(extra)
    env["PYTHONUNBUFFERED"] = "1"
    env["COLUMNS"] = "200"
    return env


class Process:
    """A ``python -m mockryze`` child whose output is drained by threads, so every wait is bounded."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mockryze", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env or clean_env(),
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._threads = [
            threading.Thread(target=self._drain, args=(self.proc.stdout, self.stdout, True), daemon=True),
            threading.Thread(target=self._drain, args=(self.proc.stderr, self.stderr, False), daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _drain(self, stream: IO[str] | None, sink: list[str], notify: bool) -> None:
        assert stream is not None
        for line in stream:
            sink.append(line)
            if notify:
                self.lines.put(line)

    def wait_for_line(self, needle: str, timeout: float = START_TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.proc.poll() is not None and self.lines.empty():
                    break
                continue
            if needle in line:
                return line
        raise AssertionError(f"no line with {needle!r}; stdout={self.out!r} stderr={self.err!r}")

    def wait(self, timeout: float = STOP_TIMEOUT) -> int:
        code = self.proc.wait(timeout=timeout)
        for thread in self._threads:
            thread.join(timeout=2)
        return code

    @property
    def out(self) -> str:
        return "".join(self.stdout)

    @property
    def err(self) -> str:
        return "".join(self.stderr)

    def terminate(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=5)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


@contextlib.contextmanager
def spawned(*args: str, env: dict[str, str] | None = None) -> Iterator[Process]:
    process = Process(*args, env=env)
    try:
        yield process
    finally:
        process.terminate()


def wait_until_listening(port: int, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port}")


def start_server(process: Process, port: int) -> str:
    """Wait for the banner; returns the whole banner text."""
    process.wait_for_line("Ctrl-C to stop")
    wait_until_listening(port)
    return process.out


def run_once(*args: str, env: dict[str, str] | None = None, timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mockryze", *args], capture_output=True, text=True,
        env=env or clean_env(), timeout=timeout, check=False,
    )


# --- serve ------------------------------------------------------------------------------------


def test_serve_end_to_end_and_sigint() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with spawned("serve", "--port", str(port), "--seed", "3", "--account-token", "T123") as server:
        banner = start_server(server, port)
        assert re.search(rf"base URL\s+{re.escape(base)}\b", banner), banner
        assert re.search(r"account token\s+T123\b", banner), banner
        assert "seed 3" in banner and "rate limits on" in banner

        with httpx.Client(base_url=base, timeout=10) as http:
            api = CheckedClient(http, "T123")
            created = api.post("/api/instance/new", json={"name": "sales"})
            assert created.status_code == 201
            instance_token = created.json()["instance"]["token"]
            connect = api.get("/api/instance/connect/sales")
            assert connect.status_code == 200
            assert connect.json()["status"] == "qr_code_generated"
            scanned = api.post("/__mock__/instances/sales/scan", json={"number": "5511999998888"},
                               headers={"token": "T123"})
            assert scanned.status_code == 200
            listed = api.get(LIST)
            assert listed.status_code == 200
            item = listed.json()["instances"][0]
            assert (item["name"], item["status"], item["token"]) == ("sales", "connected", instance_token)
            assert item["numberJid"] == "5511999998888@s.whatsapp.net"
            assert "X-RateLimit-Limit" in listed.headers  # the CLI default: limits on
            assert error_of(api.get(LIST, token="nope")) == literals.INVALID_TOKEN
            events = api.get("/__mock__/events", params={"instance": "sales"}, headers={"token": "T123"}).json()
            assert events["events"][0]["instanceData"]["baseUrl"] == base

        server.proc.send_signal(signal.SIGINT)
        assert server.wait() == 0, server.err
        assert "stopped" in server.out
        assert "Traceback" not in server.err


def test_serve_stops_on_sigterm() -> None:
    port = free_port()
    with spawned("serve", "--port", str(port)) as server:
        start_server(server, port)
        server.proc.send_signal(signal.SIGTERM)
        assert server.wait() == 0, server.err
        assert "stopped" in server.out


def test_stopping_serve_closes_websockets_with_going_away() -> None:
    port = free_port()
    with spawned("serve", "--port", str(port), "--account-token", "T123") as server:
        start_server(server, port)
        base = f"http://127.0.0.1:{port}"
        created = httpx.post(f"{base}/api/instance/new", json={"name": "sales", "websocketEnabled": True},
                             headers={"token": "T123"}, timeout=10)
        assert created.status_code == 201, created.text
        with connect(f"ws://127.0.0.1:{port}/ws/sales?token=T123", open_timeout=10) as ws:
            server.proc.send_signal(signal.SIGTERM)
            with pytest.raises(ConnectionClosed):
                ws.recv(timeout=10)
            assert ws.close_code == 1001
            assert ws.close_reason == "server shutting down"
        assert server.wait() == 0, server.err
        assert "Traceback" not in server.err


def test_same_seed_same_default_token() -> None:
    tokens = []
    for _ in range(2):
        port = free_port()
        with spawned("serve", "--port", str(port), "--seed", "11") as server:
            line = server.wait_for_line("account token")
            tokens.append(line.split()[-1])
    assert tokens[0] == tokens[1]
    assert tokens[0] == MockRyze(seed=11).account_token


def test_environment_variables_are_honoured() -> None:
    port = free_port()
    env = clean_env(MOCKRYZE_ACCOUNT_TOKEN="ENVTOK", MOCKRYZE_RATE_LIMITS="off", MOCKRYZE_PORT=str(port),
                    MOCKRYZE_INSTANCE_LIMIT="1")
    with spawned("serve", env=env) as server:
        banner = start_server(server, port)
        assert re.search(r"account token\s+ENVTOK\b", banner), banner
        assert "rate limits off" in banner and "instance limit 1" in banner
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            api = CheckedClient(http, "ENVTOK")
            responses = [api.get(LIST) for _ in range(110)]
            assert {r.status_code for r in responses} == {200}
            assert all(r.headers["X-RateLimit-Limit"] == "100" for r in responses)  # shown, not enforced
            assert api.post("/api/instance/new", json={"name": "a"}).status_code == 201
            assert error_of(api.post("/api/instance/new", json={"name": "b"})) == literals.QUOTA_EXCEEDED
        server.proc.send_signal(signal.SIGINT)
        assert server.wait() == 0


def test_cli_flag_beats_environment() -> None:
    port = free_port()
    env = clean_env(MOCKRYZE_ACCOUNT_TOKEN="ENVTOK", MOCKRYZE_RATE_LIMITS="on")
    with spawned("serve", "--port", str(port), "--account-token", "FLAGTOK", "--rate-limits", "off",
                 env=env) as server:
        banner = start_server(server, port)
        assert re.search(r"account token\s+FLAGTOK\b", banner), banner
        assert "rate limits off" in banner
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            api = CheckedClient(http)
            assert api.get(LIST, token="FLAGTOK").status_code == 200
            assert error_of(api.get(LIST, token="ENVTOK")) == literals.INVALID_TOKEN


def test_bogus_profile_flag_exits_non_zero_with_a_message() -> None:
    result = run_once("serve", "--profile", "bogus", "--port", str(free_port()))
    assert result.returncode != 0
    assert "bogus" in result.stderr
    assert "live" in result.stderr and "docs" in result.stderr  # says what is allowed
    assert "Traceback" not in result.stderr


def test_bogus_profile_environment_exits_non_zero_with_a_message() -> None:
    result = run_once("serve", "--port", str(free_port()), env=clean_env(MOCKRYZE_PROFILE="bogus"))
    assert result.returncode != 0
    assert "bogus" in result.stderr and "profile" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("variable", "value"), [("MOCKRYZE_RATE_LIMITS", "maybe"), ("MOCKRYZE_SEED", "three")])
def test_unparsable_environment_exits_non_zero_with_a_message(variable: str, value: str) -> None:
    result = run_once("serve", "--port", str(free_port()), env=clean_env(**{variable: value}))
    assert result.returncode != 0
    assert value in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_flag_value_exits_non_zero() -> None:
    result = run_once("serve", "--seed", "three")
    assert result.returncode != 0
    assert "--seed" in result.stderr
    assert "Traceback" not in result.stderr


def serve_on_a_busy_port() -> tuple[int, subprocess.CompletedProcess[str]]:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port: int = busy.getsockname()[1]
        return port, run_once("serve", "--port", str(port))


def test_port_in_use_exits_non_zero() -> None:
    port, result = serve_on_a_busy_port()
    assert result.returncode != 0
    assert str(port) in result.stderr
    assert "Traceback" not in result.stderr


def test_help() -> None:
    result = run_once("--help")
    assert result.returncode == 0
    assert "serve" in result.stdout
    assert "usage: mockryze" in result.stdout


def test_serve_help_lists_every_setting() -> None:
    result = run_once("serve", "--help")
    assert result.returncode == 0
    for f in fields(Settings):
        assert "--" + f.name.replace("_", "-") in result.stdout, f.name
        assert "MOCKRYZE_" + f.name.upper() in result.stdout, f.name


def serve_help(capsys: pytest.CaptureFixture[str]) -> str:
    """``mockryze serve --help`` with its line wrapping undone."""
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--help"])
    assert exited.value.code == 0
    return " ".join(capsys.readouterr().out.split())


def test_serve_help_shows_switches_and_their_defaults_as_on_off(capsys: pytest.CaptureFixture[str]) -> None:
    text = serve_help(capsys)
    switches = [f for f in fields(Settings) if isinstance(f.default, bool)]
    assert {"rate_limits", "auto_scan", "frozen_clock"} <= {f.name for f in switches}
    for f in switches:
        assert f"--{f.name.replace('_', '-')} on|off " in text, f.name
        assert f"MOCKRYZE_{f.name.upper()}, default {'on' if f.default else 'off'})" in text, f.name
    assert "default True" not in text and "default False" not in text


def test_serve_help_lists_the_choices_of_an_option(capsys: pytest.CaptureFixture[str]) -> None:
    text = serve_help(capsys)
    assert "--profile live|docs " in text
    assert "MOCKRYZE_PROFILE, default live)" in text


def test_serve_help_says_unset_for_an_option_without_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert "MOCKRYZE_ACCOUNT_TOKEN, default unset)" in serve_help(capsys)


def test_bad_switch_value_names_the_accepted_values(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--rate-limits", "maybe"])
    assert exited.value.code == 2
    assert "argument --rate-limits: invalid on|off value: 'maybe'" in capsys.readouterr().err


def test_version() -> None:
    result = run_once("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("mockryze ")


def test_no_command_exits_non_zero() -> None:
    result = run_once()
    assert result.returncode != 0
    assert "serve" in result.stderr


# --- MockRyze().serve() -------------------------------------------------------------------------


def test_mockryze_serve_is_a_live_server() -> None:
    ryze = MockRyze(seed=2)
    try:
        base = ryze.serve()
        assert base.startswith("http://127.0.0.1:")
        assert ryze.base_url == base
        assert ryze.serve() == base  # idempotent
        with httpx.Client(base_url=base, timeout=10) as http:
            api = CheckedClient(http, ryze.account_token)
            assert api.post("/api/instance/new", json={"name": "sales"}).status_code == 201
            ryze.connect("sales")
            ryze.scan("sales", "5511999998888")
            listed = api.get(LIST).json()["instances"]
            assert [(i["name"], i["status"]) for i in listed] == [("sales", "connected")]
            assert ryze.events("sales")[0]["instanceData"]["baseUrl"] == base
            ryze.create_instance("support")  # the Python API and HTTP share one world
            assert len(api.get(LIST).json()["instances"]) == 2
    finally:
        ryze.close()
    with pytest.raises(httpx.TransportError), httpx.Client(timeout=2) as http:
        http.get(f"{base}{LIST}")


def test_mockryze_serve_as_context_manager() -> None:
    with MockRyze() as ryze:
        base = ryze.serve()
        response = httpx.get(f"{base}{LIST}", headers={"Authorization": f"Bearer {ryze.account_token}"}, timeout=10)
        assert response.status_code == 200
        assert response.json()["message"] == "0 Instances found"


# --- every setting checked where it enters: one line, exit status 2, the flag or variable named ---------


@pytest.fixture
def never_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refusal must come before serving: were the options accepted, this raises instead of serving forever."""
    def serve(*args: object) -> None:
        raise AssertionError("the options were accepted and the server started")

    monkeypatch.setattr("mockryze.cli.serve_until_signalled", serve)


def refusal(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """``mockryze serve <argv>`` refused: exit status 2, nothing on stdout, one line on stderr (returned)."""
    try:
        code = main(["serve", *argv])
    except SystemExit as exited:
        code = exited.code
    out, err = capsys.readouterr()
    assert code == 2, (code, out, err)
    assert out == ""  # no banner
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err
    return err.strip()


@pytest.mark.parametrize(("flag", "value", "reason"), [
    ("--log-level", "foo", "must be one of debug, info, warning, error, not 'foo'"),
    ("--timezone", "Foo/Bar", "must be an IANA time zone such as America/Sao_Paulo, or UTC, not 'Foo/Bar'"),
    ("--timezone", "America", "must be an IANA time zone"),  # a folder of zones
    ("--port", "70000", "must be between 1 and 65535, not 70000"),
    ("--port", "0", "must be between 1 and 65535, not 0"),
    ("--port", "abc", "invalid integer value: 'abc'"),
    ("--event-record-limit", "-1", "must be at least 0, not -1"),
    ("--delivery-journal-limit", "-1", "must be at least 0, not -1"),
    ("--message-store-limit", "-1", "must be at least 1, not -1"),
    ("--websocket-queue-size", "0", "must be at least 1, not 0"),
    ("--qr-rotate-seconds", "0.000001", "must be 0 (off) or at least 1, not 1e-06"),
    ("--qr-timeout-seconds", "0", "must be at least 1, not 0.0"),
    ("--webhook-timeout", "0", "must be at least 0.1, not 0.0"),
    ("--webhook-retry-delays", "1,x", "must be comma-separated non-negative seconds"),
    ("--webhook-retry-delays", "1,-2", "must be comma-separated non-negative seconds"),
    ("--instance-limit", "-1", "must be at least 0, not -1"),
    ("--rate-window", "0", "must be at least 0.001, not 0.0"),
    ("--receipt-read-delay", "nan", "expected a finite number, not nan"),
    ("--start-time", "inf", "expected a finite number, not inf"),
    ("--profile", "bogus", "must be one of live, docs, not 'bogus'"),
    ("--rate-limits", "maybe", "invalid on|off value: 'maybe'"),
])
def test_a_bad_flag_is_one_line_naming_it(capsys: pytest.CaptureFixture[str], never_serves: None,
                                          flag: str, value: str, reason: str) -> None:
    line = refusal(capsys, flag, value)
    assert line.startswith(f"mockryze serve: argument {flag}: {reason}"), line


@pytest.mark.parametrize(("variable", "value", "line"), [
    ("MOCKRYZE_PORT", "abc", "mockryze: MOCKRYZE_PORT (--port): invalid integer value: 'abc'"),
    ("MOCKRYZE_PORT", "70000", "mockryze: MOCKRYZE_PORT (--port): must be between 1 and 65535, not 70000"),
    ("MOCKRYZE_LOG_LEVEL", "loud",
     "mockryze: MOCKRYZE_LOG_LEVEL (--log-level): must be one of debug, info, warning, error, not 'loud'"),
    ("MOCKRYZE_MESSAGE_STORE_LIMIT", "-1",
     "mockryze: MOCKRYZE_MESSAGE_STORE_LIMIT (--message-store-limit): must be at least 1, not -1"),
    ("MOCKRYZE_QR_ROTATE_SECONDS", "0.000001",
     "mockryze: MOCKRYZE_QR_ROTATE_SECONDS (--qr-rotate-seconds): must be 0 (off) or at least 1, not 1e-06"),
])
def test_a_bad_environment_variable_is_one_line_naming_it(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, never_serves: None,
        variable: str, value: str, line: str) -> None:
    monkeypatch.setenv(variable, value)
    assert refusal(capsys) == line


def test_a_flag_overrides_a_bad_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCKRYZE_PORT", "abc")
    assert Settings.from_sources(port=8081).port == 8081


def test_the_in_process_api_checks_the_same_rules() -> None:
    with pytest.raises(SettingError) as refused:
        MockRyze(webhook_timeout=0)
    assert str(refused.value) == "webhook_timeout: must be at least 0.1, not 0"
    with pytest.raises(SettingError, match=r"^qr_rotate_seconds: must be 0 \(off\) or at least 1, not 1e-06$"):
        Settings(qr_rotate_seconds=0.000001)
    with pytest.raises(SettingError, match=r"^port: expected an integer, not 'abc'$"):
        Settings(port="abc")  # type: ignore[arg-type]
    with pytest.raises(SettingError, match=r"^timezone: must be an IANA time zone"):
        Settings().replace(timezone="Foo/Bar")
    assert Settings(qr_rotate_seconds=0, log_level="DEBUG", timezone="utc").qr_rotate_seconds == 0  # 0 = no rotation


@pytest.mark.parametrize("option", [f.name for f in fields(Settings)])
def test_every_setting_refuses_a_value_of_the_wrong_type(option: str) -> None:
    with pytest.raises(SettingError, match=rf"^{option}: expected "):
        Settings(**{option: object()})


def test_port_in_use_fails_before_the_banner() -> None:
    port, result = serve_on_a_busy_port()
    assert result.returncode == 2
    assert result.stdout == ""  # no banner announcing a server that never ran
    lines = result.stderr.splitlines()
    assert lines == [f"mockryze: cannot listen on 127.0.0.1:{port} (--host, --port): Address already in use"]


# --- shutdown with a request in flight ------------------------------------------------------------------


def test_sigterm_answers_a_request_in_flight_503_and_logs_one_line() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # A frozen clock: a send with delay waits until the clock moves, so it is in flight when SIGTERM comes.
    with spawned("serve", "--port", str(port), "--account-token", "T123", "--frozen-clock", "on") as server:
        start_server(server, port)
        with httpx.Client(base_url=base, timeout=10) as http:
            created = http.post("/api/instance/new", json={"name": "sales"}, headers={"token": "T123"})
            token = created.json()["instance"]["token"]
            assert http.get("/api/instance/connect/sales", headers={"token": token}).status_code == 200
            assert http.post("/__mock__/instances/sales/scan", json={"number": "5511999998888"}).status_code == 200
            answers: queue.Queue[httpx.Response | Exception] = queue.Queue()

            def send() -> None:
                try:
                    answers.put(httpx.post(f"{base}/api/message/text/sales", headers={"token": token}, timeout=10,
                                           json={"number": "5511912345678", "message": "Olá", "delay": 5}))
                except Exception as exc:  # the assertion below says what happened
                    answers.put(exc)

            sender = threading.Thread(target=send, daemon=True)
            sender.start()
            wait_until_counted(http, token, already=2)  # connect, then the send itself
        server.proc.send_signal(signal.SIGTERM)
        answer = answers.get(timeout=STOP_TIMEOUT)
        assert isinstance(answer, httpx.Response), answer
        assert answer.status_code == 503
        assert answer.json() == {"success": False, "error": {"message": literals.SERVER_SHUTTING_DOWN.message}}
        assert server.wait() == 0, server.err
        assert "Traceback" not in server.err and "CancelledError" not in server.err, server.err
        loud = [line for line in server.err.splitlines() if " WARNING " in line or " ERROR " in line]
        assert len(loud) == 1 and "1 request(s) still in flight answered 503" in loud[0], server.err
        assert "stopped" in server.out


def wait_until_counted(http: httpx.Client, token: str, already: int, timeout: float = START_TIMEOUT) -> None:
    """Wait until the server has counted ``already`` requests of ``token`` besides these polls: the rate
    limiter sees a request as soon as it reaches the app, so the request in flight has arrived."""
    deadline = time.monotonic() + timeout
    polls = 0
    while time.monotonic() < deadline:
        polls += 1
        listed = http.get(LIST, headers={"token": token})
        if int(listed.headers["X-RateLimit-Remaining"]) == 100 - polls - already:
            return
        time.sleep(0.05)
    raise AssertionError("the request never reached the server")
