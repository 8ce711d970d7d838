"""Start and stop a real single-node KRaft Kafka broker assembled from Maven Central jars.

Used by ``deploy/kafka/broker.sh`` (make run), by the pytest session fixture and by the
benchmarks. Each broker gets its own work directory (data, logs, tmp) and ports.
"""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from hotline.topics import repo_root

TEST_JVM = ["-Xms256m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"]
BENCH_JVM = ["-Xms1g", "-Xmx1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20"]


def kafka_home() -> Path:
    return repo_root() / "deploy" / "kafka"


def fetch_jars(home: Path | None = None) -> Path:
    """Fill ``deploy/kafka/lib`` with ``mvn dependency:copy-dependencies`` if it is missing."""
    home = home or kafka_home()
    subprocess.run([str(home / "fetch.sh")], check=True)
    return home / "lib"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def cluster_id() -> str:
    while True:
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cid.startswith("-"):
            return cid


@dataclass
class Broker:
    work: Path
    port: int
    controller_port: int
    jvm: tuple[str, ...] = tuple(TEST_JVM)
    advertised_port: int | None = None
    proc: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.work / "broker.pid"

    def _java(self, main: str, *args: str) -> list[str]:
        home = kafka_home()
        return [
            "java",
            *self.jvm,
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Djava.io.tmpdir={self.work / 'tmp'}",
            f"-Dkafka.logs.dir={self.work / 'logs'}",
            f"-Dlog4j2.configurationFile={home / 'log4j2.properties'}",
            "-cp",
            f"{home / 'lib'}/*",
            main,
            *args,
        ]

    def prepare(self) -> None:
        """Write server.properties and format the data dir (once per work dir)."""
        for sub in ("data", "logs", "tmp"):
            (self.work / sub).mkdir(parents=True, exist_ok=True)
        props = self.work / "server.properties"
        template = (kafka_home() / "server.properties.template").read_text()
        props.write_text(
            template.replace("@DATA_DIR@", str(self.work / "data"))
            .replace("@ADVERTISED_PORT@", str(self.advertised_port or self.port))
            .replace("@CONTROLLER_PORT@", str(self.controller_port))
            .replace("@PORT@", str(self.port))
        )
        if not (self.work / "data" / "kraft-combined-logs" / "meta.properties").exists():
            fmt = ["format", "-t", cluster_id(), "-c", str(props)]
            subprocess.run(
                self._java("kafka.tools.StorageTool", *fmt), check=True, capture_output=True
            )

    def start(self, timeout: float = 90.0) -> None:
        fetch_jars()
        self.prepare()
        log = (self.work / "logs" / "stdout.log").open("ab")
        cmd = self._java("kafka.Kafka", str(self.work / "server.properties"))
        self.proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.pid_file.write_text(str(self.proc.pid))
        asyncio.run(wait_ready(self.proc, self.port, timeout))

    def kill(self) -> None:
        """kill -9 (fault drills): the data dir stays, start() again recovers."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self, grace: float = 30.0) -> None:
        if self.proc is None:
            stop_pid_file(self.pid_file, grace)
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.pid_file.unlink(missing_ok=True)


def stop_pid_file(pid_file: Path, grace: float = 30.0) -> None:
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text())
    try:
        os.kill(pid, signal.SIGTERM)
        _wait_gone(pid, grace)
    except ProcessLookupError:
        pass
    pid_file.unlink(missing_ok=True)


def _wait_gone(pid: int, grace: float) -> None:
    import time

    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


async def wait_ready(proc: subprocess.Popen[bytes], port: int, timeout: float) -> None:
    from aiokafka.client import AIOKafkaClient
    from aiokafka.errors import KafkaError

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    bootstrap = f"127.0.0.1:{port}"
    while loop.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"broker exited with {proc.returncode}; see logs/server.log")
        try:
            _, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 1)
            writer.close()
            client = AIOKafkaClient(bootstrap_servers=bootstrap, request_timeout_ms=5000)
            try:
                await asyncio.wait_for(client.bootstrap(), 10)
                if client.cluster.brokers():
                    return
            finally:
                await client.close()
        except (OSError, TimeoutError, KafkaError):
            pass
        await asyncio.sleep(0.25)
    proc.kill()
    raise TimeoutError(f"Kafka on {bootstrap} not ready after {timeout}s")


def main(argv: list[str]) -> int:
    """``broker.sh start|stop WORK_DIR [PORT CONTROLLER_PORT]`` — see deploy/kafka/broker.sh."""
    from hotline.kafka.admin import ensure_topics
    from hotline.topics import load_topics

    action, work = argv[0], Path(argv[1]).resolve()
    if action == "stop":
        stop_pid_file(work / "broker.pid")
        return 0
    port = int(argv[2]) if len(argv) > 2 else 9092
    cport = int(argv[3]) if len(argv) > 3 else port + 1
    broker = Broker(work, port, cport)
    broker.start()
    asyncio.run(ensure_topics(broker.bootstrap, load_topics()))
    print(f"kafka listening on {broker.bootstrap} (pid {broker.proc.pid if broker.proc else '?'})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
