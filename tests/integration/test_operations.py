"""
Running txredisd as a service: the systemd units, TLS and Unix socket
listeners, and a graceful stop on SIGTERM and SIGINT.
"""

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest

from tests.conftest import ROOT, requireTool, startTxredisd

pytestmark = pytest.mark.timeout(120)


def _systemdAnalyze():
    # .ci/run installs the systemd package when it can; when it cannot it
    # says why in TXREDISD_NO_SYSTEMD, and the test skips with that reason
    # even under CI.
    path = shutil.which("systemd-analyze")
    if path is not None:
        return path
    reason = os.environ.get("TXREDISD_NO_SYSTEMD")
    if reason:
        pytest.skip("systemd-analyze unavailable: %s" % (reason,))
    return requireTool("systemd-analyze")


def test_systemdUnitsVerify(tmp_path):
    """
    systemd-analyze verify accepts etc/txredisd.service and
    etc/txredisd.socket together, and rejects a broken unit (so the check
    does check).
    """
    analyze = _systemdAnalyze()
    units = []
    for name in ("txredisd.socket", "txredisd.service"):
        shutil.copy(os.path.join(ROOT, "etc", name), tmp_path / name)
        units.append(str(tmp_path / name))
    result = subprocess.run([analyze, "verify"] + units, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    bad = tmp_path / "broken.service"
    bad.write_text("[Service]\nExecStart=relative/twistd\n")
    result = subprocess.run([analyze, "verify", str(bad)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0


def test_socketUnitMatchesService():
    """
    The socket unit passes an IPv4 stream socket, which is what the
    service's systemd:domain=INET:index=0 endpoint adopts.
    """
    with open(os.path.join(ROOT, "etc", "txredisd.socket")) as f:
        socketUnit = f.read()
    with open(os.path.join(ROOT, "etc", "txredisd.service")) as f:
        serviceUnit = f.read()
    assert "ListenStream=127.0.0.1:6379" in socketUnit
    assert "--listen systemd:domain=INET:index=0" in serviceUnit
    assert "--port 0" in serviceUnit


def test_socketActivation(tmp_path):
    """
    Started as systemd starts it (the listening socket as file descriptor 3,
    LISTEN_FDS and LISTEN_PID set), txredisd serves on the inherited socket.
    """
    from tests.conftest import txredisdArgv, txredisdEnv

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    argv = txredisdArgv(0, "--listen", "systemd:domain=INET:index=0", "--dir", str(tmp_path))
    env = txredisdEnv()
    env["LISTEN_FDS"] = "1"
    # systemd 227 and later name the descriptors; Twisted wants both.
    env["LISTEN_FDNAMES"] = "txredisd.socket"
    fd = listener.fileno()
    # The socket goes to the child as fd 3; LISTEN_PID must be the child's
    # pid: exec through a shell that sets it.
    shell = 'export LISTEN_PID=$$; exec "$@"'
    log = open(tmp_path / "server.log", "wb")
    process = subprocess.Popen(
        ["/bin/sh", "-c", shell, "sh"] + argv,
        env=env,
        cwd=str(tmp_path),
        stdout=log,
        stderr=subprocess.STDOUT,
        pass_fds=(3,),
        preexec_fn=lambda: os.dup2(fd, 3),
    )
    try:
        listener.close()
        deadline = time.monotonic() + 30
        reply = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                    s.sendall(b"PING\r\n")
                    reply = s.recv(100)
                    break
            except OSError:
                time.sleep(0.1)
        assert reply == b"+PONG\r\n", (tmp_path / "server.log").read_text()
    finally:
        process.terminate()
        process.wait(15)
        log.close()


def _certificate(directory):
    openssl = requireTool("openssl")
    key = directory / "key.pem"
    cert = directory / "cert.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return key, cert


def _freePort():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_tls(tmp_path):
    """
    The ssl: endpoint serves redis-cli --tls and redis-py over TLS with a
    certificate made for the test; the plain port keeps working.
    """
    pytest.importorskip("OpenSSL", reason="pyOpenSSL (Twisted[tls]) is needed for ssl: endpoints")
    cli = requireTool("redis-cli")
    key, cert = _certificate(tmp_path)
    tlsPort = _freePort()
    endpoint = "ssl:%d:interface=127.0.0.1:privateKey=%s:certKey=%s" % (tlsPort, key, cert)
    server = startTxredisd(tmp_path, "--listen", endpoint)
    try:
        out = subprocess.run(
            [cli, "--tls", "--cacert", str(cert), "-h", "127.0.0.1", "-p", str(tlsPort), "SET", "k", "over tls"],
            capture_output=True, text=True, timeout=30,
        )
        assert out.stdout.strip() == "OK", out
        import redis

        client = redis.Redis(host="127.0.0.1", port=tlsPort, ssl=True, ssl_ca_certs=str(cert), socket_timeout=30)
        assert client.get("k") == b"over tls"
        assert client.incr("n") == 1
        client.close()
        assert server.client().get("k") == b"over tls"
    finally:
        server.stop()


def test_unixSocket(tmp_path):
    """
    The unix: endpoint serves redis-cli -s and redis-py; MONITOR names such
    clients by the socket path, as Redis does.
    """
    cli = requireTool("redis-cli")
    path = str(tmp_path / "txredisd.sock")
    server = startTxredisd(tmp_path, "--listen", "unix:%s" % (path,))
    try:
        out = subprocess.run([cli, "-s", path, "SET", "u", "x"], capture_output=True, text=True, timeout=30)
        assert out.stdout.strip() == "OK", out
        out = subprocess.run([cli, "-s", path, "GET", "u"], capture_output=True, text=True, timeout=30)
        assert out.stdout.strip() == "x"
        import redis

        client = redis.Redis(unix_socket_path=path, socket_timeout=30)
        assert b"flags=U" in client.execute_command("CLIENT", "INFO")
        monitor = socket.socket(socket.AF_UNIX)
        monitor.connect(path)
        monitor.settimeout(30)
        monitor.sendall(b"MONITOR\r\n")
        assert monitor.recv(5) == b"+OK\r\n"
        client.get("u")
        line = b""
        while not line.endswith(b"\r\n"):
            line += monitor.recv(1000)
        assert line.endswith(b' [0 unix:%s] "GET" "u"\r\n' % (path.encode(),)), line
        monitor.close()
        client.close()
    finally:
        server.stop()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_gracefulSignal(tmp_path, sig):
    """
    SIGTERM and SIGINT stop the server with exit status 0, after saving,
    with Redis's log lines.
    """
    server = startTxredisd(tmp_path, "--save", "3600 1")
    client = server.client()
    client.set("k", "v")
    client.close()
    server.process.send_signal(sig)
    assert server.process.wait(30) == 0
    server.stop()
    log = server.log()
    name = signal.Signals(sig).name
    lines = [
        "Received %s scheduling shutdown..." % (name,),
        "User requested shutdown...",
        "Saving the final RDB snapshot before exiting.",
        "DB saved on disk",
        "Redis is now ready to exit, bye bye...",
    ]
    positions = [log.find(line) for line in lines]
    assert -1 not in positions, log
    assert positions == sorted(positions), log
    assert os.path.exists(tmp_path / "dump.rdb")
