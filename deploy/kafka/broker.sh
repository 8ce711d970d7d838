#!/usr/bin/env bash
# Start or stop the local Kafka broker (KRaft, single node, 127.0.0.1 only).
#   deploy/kafka/broker.sh start [WORK_DIR] [PORT] [CONTROLLER_PORT]
#   deploy/kafka/broker.sh stop  [WORK_DIR]
# start: fetches the jars with Maven if lib/ is missing, formats WORK_DIR/data once,
# starts kafka.Kafka, waits for a metadata answer, creates every topic in deploy/kafka/topics
# and prints where it listens. stop: SIGTERM, then SIGKILL after 30 s.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
action="${1:?usage: broker.sh start|stop [WORK_DIR] [PORT] [CONTROLLER_PORT]}"
work="${2:-$root/var/kafka}"
shift $(( $# >= 2 ? 2 : $# ))
cd "$root"
exec "$root/.venv/bin/python" -m hotline_tools.devstack.broker "$action" "$work" "$@"
