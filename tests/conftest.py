"""
Fixtures shared by the integration, differential and interop tests: the
real txredisd started as C{twistd -n redis}, and Debian's C{redis-server}.

Tools that are missing skip their tests on a developer's machine but fail
them under CI (C{CI=true}), where C{.ci/run} installs them.
"""

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def requireTool(name):
    """
    The path of an executable the test needs; skips without it, except
    under CI where a missing tool is a failure.
    """
    path = shutil.which(name)
    if path is None:
        message = "%s is not installed (apt-get install redis-server redis-tools)" % (name,)
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def freePort():
    """
    @return: a TCP port nobody listens on now.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def waitForPort(port, process, timeout=30.0):
    """
    Wait until something accepts connections on C{port}.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server exited with %s" % (process.returncode,))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nothing listens on port %d" % (port,))


class ServerProcess:
    """
    A server started as a subprocess.

    @ivar port: its TCP port.
    @ivar directory: its working directory.
    """

    def __init__(self, argv, port, directory, env=None):
        self.argv = argv
        self.port = port
        self.directory = directory
        self.env = env
        self.logPath = os.path.join(directory, "server.log")
        self.process = None

    def start(self):
        self._log = open(self.logPath, "ab")
        self.process = subprocess.Popen(
            self.argv,
            cwd=self.directory,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        try:
            waitForPort(self.port, self.process)
        except RuntimeError:
            self.stop()
            raise RuntimeError("%s did not start:\n%s" % (self.argv, self.log()))
        return self

    def stop(self, sig=None):
        if self.process is not None and self.process.poll() is None:
            if sig is None:
                self.process.terminate()
            else:
                self.process.send_signal(sig)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None:
            self._log.close()

    def kill(self):
        """
        C{kill -9} the server.
        """
        self.process.kill()
        self.process.wait()
        self._log.close()

    def waitForLog(self, text, timeout=30.0):
        """
        Wait until the server's log holds C{text}.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log():
                return
            time.sleep(0.05)
        raise AssertionError("%r not logged:\n%s" % (text, self.log()))

    def log(self):
        with open(self.logPath, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def client(self, **kwargs):
        """
        A redis-py client connected to this server.
        """
        import redis

        return redis.Redis(port=self.port, socket_timeout=30, **kwargs)


def txredisdArgv(port, *extra):
    """
    The command line that starts txredisd, as a user runs it.
    """
    twistd = shutil.which("twistd") or os.path.join(os.path.dirname(sys.executable), "twistd")
    return [twistd, "-n", "--pidfile=", "redis", "--port", str(port)] + list(extra)


def txredisdEnv():
    """
    The environment for a txredisd subprocess: this checkout first on the
    path, so twistd finds the plugin and the code under test.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    return env


def startTxredisd(directory, *extra, port=None):
    """
    Start C{twistd -n redis} in C{directory}.

    @return: a started L{ServerProcess}.
    """
    port = port or freePort()
    return ServerProcess(txredisdArgv(port, *extra), port, str(directory), txredisdEnv()).start()


def startRedisServer(directory, *extra, port=None):
    """
    Start Debian's C{redis-server} in C{directory} (no save points unless
    given).

    @return: a started L{ServerProcess}.
    """
    binary = requireTool("redis-server")
    port = port or freePort()
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(directory)]
    return ServerProcess(argv + list(extra), port, str(directory)).start()


@pytest.fixture
def txredisd(tmp_path):
    """
    A fresh txredisd process for one test.
    """
    server = startTxredisd(tmp_path)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def sharedTxredisd(tmp_path_factory):
    """
    One txredisd process for a module's tests (they FLUSHALL as they need).
    """
    server = startTxredisd(tmp_path_factory.mktemp("txredisd"))
    yield server
    server.stop()


@pytest.fixture
def redisServer(tmp_path):
    """
    A fresh Debian redis-server for one test.
    """
    server = startRedisServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def sharedRedisServer(tmp_path_factory):
    """
    One redis-server for a module's tests.
    """
    server = startRedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture(autouse=True, scope="session")
def _workInTemporaryDirectory(tmp_path_factory):
    """
    Run the suite from a scratch directory, as trial runs from
    C{_trial_temp}: trial's C{TestCase.mktemp} makes paths relative to the
    working directory, which must not be the checkout.
    """
    previous = os.getcwd()
    os.chdir(str(tmp_path_factory.mktemp("cwd")))
    yield
    os.chdir(previous)
