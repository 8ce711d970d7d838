"""make bench / make soak: end-to-end scenarios (issue 8) -> bench/results/<id>.json, then
bench/report.md with plots. `BENCH_PROFILE=soak` runs the full 10-minute versions."""

from __future__ import annotations

import json
import os
import sys

from bench.common import write_result
from bench.scenarios import Scenario, execute
from hotline import collector, eventloop
from hotline_tools.devstack.broker import TEST_JVM
from hotline_tools.load.faults import Fault

SOAK = os.environ.get("BENCH_PROFILE") == "soak"
LONG = float(os.environ.get("BENCH_SECONDS", "600" if SOAK else "60"))
EVERY = 30.0 if SOAK else 20.0
BROKER_JVM = os.environ.get("BENCH_BROKER_JVM", " ".join(TEST_JVM)).split()
P1_RATE = float(os.environ.get("BENCH_P1_RATE", "3000" if SOAK else "2000"))  # see profiling.md
UNIFIER_NICE = int(os.environ.get("BENCH_UNIFIER_NICE", "0"))


def scenarios() -> list[Scenario]:
    """Every scenario, with this run's unifier CPU nice (``BENCH_UNIFIER_NICE``) applied."""
    out = [
        Scenario(
            "P1",
            "sustained signed webhook traffic -> Kafka -> unifier -> row",
            P1_RATE,
            LONG,
            channels=("whatsapp", "slack"),
            target=">= 3,000 msg/s, lag not growing; P2 ack p50 <= 10 ms, p99 <= 25 ms",
            broker_jvm=BROKER_JVM,
            retry_share=float(os.environ.get("BENCH_P1_RETRY_SHARE", "0.2")),
        ),
        Scenario(
            "P3",
            "receive -> committed thread row at 200 msg/s",
            200,
            LONG / 2,
            target="p99 <= 250 ms",
        ),
        Scenario(
            "R1",
            "kill -9 social_ingest periodically at 500 msg/s, senders retry",
            500,
            LONG,
            [Fault("social_ingest", EVERY)],
            target="lost 0",
        ),
        Scenario(
            "R2",
            "kill -9 the unifier periodically",
            500,
            LONG,
            [Fault("unifier", EVERY)],
            target="lost 0, duplicates 0, counters exact",
        ),
        Scenario(
            "R3",
            "kill -9 the broker, restart after 10 s",
            300,
            LONG,
            [Fault("broker", LONG * 2, down=10.0, first_at=LONG / 3)],
            target="no 2xx during the outage, lost 0, >= 90% throughput within 30 s",
        ),
        Scenario(
            "R4",
            "restart PostgreSQL under load (unifier on PostgreSQL)",
            300,
            LONG,
            [Fault("postgres", LONG * 2, down=3.0, first_at=LONG / 3)],
            database="postgres",
            target="lost 0, duplicates 0, offsets never ahead",
        ),
        Scenario(
            "M1",
            "two unifiers in one group on PostgreSQL; kill -9 the relay's owner periodically",
            float(os.environ.get("BENCH_M1_RATE", "560")),  # a tenth retries: 504 new msg/s
            LONG,
            [Fault("relay_owner", max(EVERY, 40.0), down=13.0, first_at=LONG / 6)],
            database="postgres",
            target="relay takeover < 5 s, partitions move; lost 0, duplicates 0, order kept,"
            " counters exact; one contact per person",
            unifiers=2,
            same_person=200,
            retry_share=0.1,
        ),
    ]
    for s in out:
        s.unifier_nice = UNIFIER_NICE
    return out


def main(selected: list[str]) -> int:
    collector.tune()  # the generator keeps a record per send: as in every service process
    failed = 0
    for s in scenarios():
        if selected and s.id not in selected:
            continue
        doc = eventloop.run(execute(s), stop_on_term=True)  # a kill stops the stack too
        write_result(f"e2e-{s.id}", doc)
        delivery = doc["delivery"]
        assert isinstance(delivery, dict)
        brief = {
            k: doc[k]
            for k in (
                "id",
                "sent",
                "acked",
                "http_ack_ms",
                "stored_per_s",
                "receive_to_committed_ms",
            )
        }
        print(
            json.dumps(
                {
                    **brief,
                    "delivery_ok": delivery["ok"],
                    "lost": delivery["lost"],
                    "duplicates": delivery["duplicates"],
                }
            )
        )
        failed += not delivery["ok"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
