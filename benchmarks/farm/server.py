"""nginx from Debian's packages, serving the farm on loopback as a child process."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType

_CONFIG = """
daemon off;
master_process off;
worker_processes 1;
{user}
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    types {{ text/html html; application/rss+xml xml; text/plain txt; }}
    default_type application/octet-stream;
    log_format status '$status';
    access_log {work}/access.log status;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 120s;
    keepalive_requests 1000000;
    gzip_static on;
    # RFC 9110 semantics (as Apache and most servers): not modified since a later date.
    if_modified_since before;
    gzip_vary on;
    server {{
        listen 127.0.0.1:{port} backlog=4096;
        root {root};
    }}
}}
"""


def nginx_binary() -> str:
    """The nginx executable, installed from Debian's packages if missing."""
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None
    )
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("nginx is missing: run `apt-get install -y nginx-light` as root")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "nginx-light"],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )
    return shutil.which("nginx") or "/usr/sbin/nginx"


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Nginx:
    """Runs nginx in the foreground on 127.0.0.1:port; counts requests via its access log."""

    def __init__(self, root: Path, work: Path) -> None:
        self.root = root
        self.work = work
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Nginx:
        self.work.mkdir(parents=True, exist_ok=True)
        # As root, workers would switch to nobody; the farm lives under root's work tree.
        user = "user root;" if os.geteuid() == 0 else ""
        config = self.work / "nginx.conf"
        config.write_text(
            _CONFIG.format(user=user, work=self.work, port=self.port, root=self.root.resolve())
        )
        self._process = subprocess.Popen(
            [nginx_binary(), "-c", str(config), "-p", str(self.work)],
            stderr=subprocess.DEVNULL,
        )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                log = (self.work / "error.log").read_text(errors="replace")
                raise SystemExit(f"nginx exited at start:\n{log}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("nginx did not start listening within 10 s")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)

    def reset_log(self) -> None:
        """Forget the requests served so far (nginx appends, so truncating is safe)."""
        (self.work / "access.log").write_bytes(b"")

    def counts(self) -> tuple[int, int]:
        """(requests, 304 answers) since reset_log()."""
        lines = (self.work / "access.log").read_bytes().split()
        return len(lines), sum(1 for line in lines if line == b"304")
