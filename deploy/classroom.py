"""Serve a large class with several app processes behind nginx (sticky sessions, websockets).

``python deploy/classroom.py --processes 2 --port 8080`` starts N ``streamlit run app.py`` backends on
free localhost ports (one torch thread each, a shared cookie secret so any of them accepts the
others' XSRF cookies), renders ``nginx-classroom.conf.template`` into a private prefix and runs
nginx in the foreground on ``--port``; Ctrl-C stops everything. Students open
``http://SERVER:PORT/``. See docs/classroom.md.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as `python deploy/classroom.py`: the app's package is one level up

from lab_ui.loadtest import free_port, start_server, wait_healthy  # noqa: E402

TEMPLATE = Path(__file__).with_name("nginx-classroom.conf.template")


def render_config(template: str, listen: str, ports: list[int], prefix: Path) -> str:
    """The nginx config for backends on localhost ``ports``: the pool, and the route names b1, b2, ...
    (cookie value -> backend address, and the answering backend's address -> cookie value)."""
    addrs = [f"127.0.0.1:{p}" for p in ports]
    return (
        template.replace("@LISTEN@", listen)
        .replace("@SERVERS@", "\n".join(f"        server {a} max_fails=0;" for a in addrs))
        .replace("@ROUTES_IN@", "\n".join(f'        "b{i}" "{a}";' for i, a in enumerate(addrs, 1)))
        .replace("@ROUTES_OUT@", "\n".join(f'        "{a}" "b{i}";' for i, a in enumerate(addrs, 1)))
        .replace("@PREFIX@", str(prefix))
    )


class Classroom:
    """N backends + nginx. ``url``: the proxy; ``pids``: the backends' process ids."""

    def __init__(self, processes: int = 2, port: int | None = None, ttl: int = 120, listen: str = "127.0.0.1"):
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(nginx).exists():
            raise RuntimeError("nginx is not installed (Debian: apt-get install -y nginx)")
        self.prefix = Path(tempfile.mkdtemp(prefix="negsamp-nginx-"))
        self.port = port or free_port()
        secret = secrets.token_hex(16)
        self.backend_ports = [free_port() for _ in range(processes)]
        # The cores are shared out: each backend gets its share of training slots (one process per
        # core trains at full speed; two training threads in one process fight for its interpreter lock).
        slots = str(max(1, len(os.sched_getaffinity(0)) // processes))
        env = {"STREAMLIT_SERVER_COOKIE_SECRET": secret, "NEGSAMP_TRAINING_SLOTS": slots}
        # the CLI flag is refused for the cookie secret: it goes in the environment
        self.backends = [start_server(p, ttl, extra_env=env) for p in self.backend_ports]
        for p in self.backend_ports:
            wait_healthy(f"http://127.0.0.1:{p}", 120)
        conf = render_config(TEMPLATE.read_text(), f"{listen}:{self.port}", self.backend_ports, self.prefix)
        (self.prefix / "nginx.conf").write_text(conf)
        self.nginx = subprocess.Popen(
            [nginx, "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=open(self.prefix / "nginx.stderr", "w"),
        )
        self.url = f"http://127.0.0.1:{self.port}"
        try:
            wait_healthy(self.url, 60)
        except RuntimeError as exc:
            log = (
                (self.prefix / "nginx.stderr").read_text()[-500:] + (self.prefix / "error.log").read_text()[-500:]
                if (self.prefix / "error.log").exists()
                else ""
            )
            self.stop()
            raise RuntimeError(f"nginx on {self.url} did not answer: {log}") from exc

    @property
    def pids(self) -> list[int]:
        return [b.pid for b in self.backends]

    def stop(self) -> None:
        for proc in [self.nginx, *self.backends]:
            proc.terminate()
        for proc in [self.nginx, *self.backends]:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(self.prefix, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--listen", default="0.0.0.0", help="address nginx listens on")
    args = parser.parse_args()
    room = Classroom(args.processes, args.port, listen=args.listen)
    print(
        f"serving {args.processes} app processes (ports {room.backend_ports}) at http://{args.listen}:{room.port}/",
        flush=True,
    )
    try:
        while all(p.poll() is None for p in [room.nginx, *room.backends]):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        room.stop()


if __name__ == "__main__":
    main()
