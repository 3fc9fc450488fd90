#!/usr/bin/env bash
# Make sure the PostgreSQL, Redis and RabbitMQ the tests use answer at
# DATABASE_URL, REDIS_URL and RABBITMQ_URL (unset: the tests' defaults, from
# config/settings/test.py and tests/workers.py). RabbitMQ carries the
# exactly-once callback tests a second time (the first is on Redis).
#
# A service that answers is used as it is, wherever it runs. One that does
# not is started only when it is meant to run on this machine (127.0.0.1,
# localhost, ::1 or a Unix socket) and this machine has the tools to start it:
# PostgreSQL with pg_ctlcluster (Debian) or pg_ctl and PGDATA, Redis with
# redis-server, into var/redis, RabbitMQ with rabbitmq-server -detached (the
# system's own node, whose Debian wrapper runs it as the rabbitmq user).
# Otherwise the script says what it needs and fails. The RabbitMQ tests also
# make a virtual host of their own per run: with rabbitmqctl where the user
# running them may, else through the management plugin's API as the
# RABBITMQ_URL user. SERVICES_CONNECT_TIMEOUT (seconds, default 3) bounds
# each check.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-python3}
TIMEOUT=${SERVICES_CONNECT_TIMEOUT:-3}
DEFAULT_DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoshii
DEFAULT_REDIS_URL=redis://127.0.0.1:6379/15
DEFAULT_RABBITMQ_URL=amqp://guest:guest@127.0.0.1:5672//

command -v "$PYTHON" >/dev/null 2>&1 || {
  echo "scripts/ensure-services.sh needs Python 3 ($PYTHON) to read the URLs" >&2
  exit 1
}

# probe where|answers KIND URL VARIABLE: "where" prints the service's address, whether
# it is on this machine (local/remote), its host and its port; "answers"
# exits 0 when a ready server of that kind answers there. Plain sockets, so no
# client tools are needed to check.
probe() {
  "$PYTHON" - "$@" "$TIMEOUT" <<'PY'
import socket
import struct
import sys
from urllib.parse import unquote, urlsplit

action, kind, url, variable = sys.argv[1:5]
timeout = float(sys.argv[5])
parts = urlsplit(url)
schemes = {
    "postgres": {"postgres", "postgresql", "pgsql", "postgis"},
    "redis": {"redis", "rediss"},
    "rabbitmq": {"amqp", "amqps", "pyamqp"},
}[kind]
if parts.scheme not in schemes:
    label = {"postgres": "PostgreSQL", "redis": "Redis", "rabbitmq": "RabbitMQ"}[kind]
    sys.exit(f"{variable} is {parts.scheme}://…: the tests need {label} there")
host = unquote(parts.hostname or "")
port = parts.port or {"postgres": 5432, "redis": 6379, "rabbitmq": 5672}[kind]
user = unquote(parts.username or "postgres")
# An empty host or a path is a Unix socket (libpq's default directories).
sockets = []
if kind == "postgres" and (not host or host.startswith("/")):
    directories = [host] if host else ["/var/run/postgresql", "/tmp"]
    sockets = [f"{directory}/.s.PGSQL.{port}" for directory in directories]
local = bool(sockets) or host in {"127.0.0.1", "localhost", "::1"}

if action == "where":
    address = " or ".join(sockets) if sockets else f"{host}:{port}"
    print(address, "local" if local else "remote", host or "-", port, sep="\t")
    sys.exit(0)


def connect() -> socket.socket:
    if not sockets:
        return socket.create_connection((host, port), timeout=timeout)
    for path in sockets:
        try:
            connection = socket.socket(socket.AF_UNIX)
            connection.settimeout(timeout)
            connection.connect(path)
            return connection
        except OSError:
            connection.close()
    raise OSError("no socket answers")


def postgres_ready(connection: socket.socket) -> bool:
    # A startup message, as pg_isready sends: any answer but "starting up"
    # or "shutting down" (SQLSTATE 57P0x) means a server ready for clients.
    body = b"".join(
        [struct.pack("!i", 196608), b"user\0", user.encode(), b"\0\0"]
    )
    connection.sendall(struct.pack("!i", len(body) + 4) + body)
    answer = connection.recv(4096)
    if answer[:1] == b"R":
        return True
    return answer[:1] == b"E" and b"C57P0" not in answer


def redis_ready(connection: socket.socket) -> bool:
    if parts.scheme == "rediss":
        return True  # TLS: a listening port is as far as a plain socket sees
    connection.sendall(b"PING\r\n")
    answer = connection.recv(256)
    # NOAUTH: a server that wants the password the URL gives the app.
    return answer.startswith((b"+PONG", b"-NOAUTH", b"-ERR AUTH"))


def rabbitmq_ready(connection: socket.socket) -> bool:
    if parts.scheme == "amqps":
        return True  # TLS: a listening port is as far as a plain socket sees
    # The AMQP 0-9-1 header: a broker that has booted answers with a method
    # frame (type 1), Connection.Start; one still booting closes the socket.
    connection.sendall(b"AMQP\x00\x00\x09\x01")
    return connection.recv(1) == b"\x01"


ready_checks = {
    "postgres": postgres_ready,
    "redis": redis_ready,
    "rabbitmq": rabbitmq_ready,
}
try:
    with connect() as connection:
        ready = ready_checks[kind](connection)
except OSError:
    ready = False
sys.exit(0 if ready else 1)
PY
}

# wait_for KIND URL VARIABLE: up to 30 seconds for a server just started
# (60 for RabbitMQ, whose Erlang node takes longer to boot).
wait_for() {
  local seconds=30
  [ "$1" = rabbitmq ] && seconds=60
  for _ in $(seq "$seconds"); do
    probe answers "$1" "$2" "$3" && return 0
    sleep 1
  done
  return 1
}

start_postgres() { # port
  local port=$1 cluster
  if command -v pg_ctlcluster >/dev/null 2>&1 && command -v pg_lsclusters >/dev/null 2>&1; then
    cluster=$(pg_lsclusters --no-header 2>/dev/null | awk -v port="$port" '$3 == port { print $1, $2; exit }')
    if [ -n "$cluster" ]; then
      echo "Starting PostgreSQL $cluster (pg_ctlcluster)..."
      # shellcheck disable=SC2086 # "version name", two words on purpose
      pg_ctlcluster --skip-systemctl-redirect $cluster start
      return 0
    fi
  fi
  if command -v pg_ctl >/dev/null 2>&1 && [ -f "${PGDATA:-}/PG_VERSION" ]; then
    echo "Starting PostgreSQL in $PGDATA (pg_ctl)..."
    # The log beside the data, where the server's owner may always write.
    pg_ctl -D "$PGDATA" -o "-p $port" -l "$PGDATA/postgresql.log" start >/dev/null
    return 0
  fi
  return 1
}

start_redis() { # host port
  local bind
  command -v redis-server >/dev/null 2>&1 || return 1
  case $1 in
    ::1) bind="::1" ;;
    *) bind="127.0.0.1 -::1" ;; # -::1: IPv6 loopback too, if the machine has it
  esac
  echo "Starting Redis in var/redis..."
  mkdir -p "$ROOT/var/redis"
  # shellcheck disable=SC2086 # the bind list is several words on purpose
  redis-server --daemonize yes --bind $bind --port "$2" --save "" --appendonly no \
    --dir "$ROOT/var/redis" --logfile "$ROOT/var/redis/redis.log" \
    --pidfile "$ROOT/var/redis/redis.pid"
}

start_rabbitmq() { # port
  command -v rabbitmq-server >/dev/null 2>&1 || return 1
  # The machine's node listens where its configuration says: 5672 unless
  # changed there, so only a URL on that port is one this can start.
  [ "$1" = 5672 ] || return 1
  echo "Starting RabbitMQ (rabbitmq-server -detached)..."
  rabbitmq-server -detached >/dev/null 2>&1
}

# ensure KIND NAME VARIABLE DEFAULT: check one service, start it if allowed.
ensure() {
  local kind=$1 name=$2 variable=$3 url source where address place host port
  url=${!variable:-}
  source="from $variable"
  if [ -z "$url" ]; then
    url=$4
    source="$variable is unset: the tests' default"
  fi
  where=$(probe where "$kind" "$url" "$variable") || return 1
  IFS=$'\t' read -r address place host port <<<"$where"
  if probe answers "$kind" "$url" "$variable"; then
    echo "$name: $address answers"
    return 0
  fi
  local started=no
  if [ "$place" = local ]; then
    if [ "$kind" = postgres ] && start_postgres "$port"; then
      started=yes
    elif [ "$kind" = redis ] && start_redis "$host" "$port"; then
      started=yes
    elif [ "$kind" = rabbitmq ] && start_rabbitmq "$port"; then
      started=yes
    fi
  fi
  if [ "$started" = yes ] && wait_for "$kind" "$url" "$variable"; then
    echo "$name: $address answers"
    return 0
  fi
  {
    echo "$name is not reachable at $address ($source); start it or set $variable"
    if [ "$place" = remote ]; then
      echo "  (it is not on this machine, so this script does not start it)"
    elif [ "$started" = yes ]; then
      echo "  (it was started here but did not answer in time)"
    elif [ "$kind" = postgres ]; then
      echo "  (to start it here this script needs pg_ctlcluster with a cluster on port $port," \
        "or pg_ctl with PGDATA set to a data directory)"
    elif [ "$kind" = redis ]; then
      echo "  (to start it here this script needs redis-server)"
    else
      echo "  (to start it here this script needs rabbitmq-server, and the URL on port 5672)"
    fi
  } >&2
  return 1
}

# Arguments name the services to check (postgres, redis, rabbitmq); none:
# all three, as `make test` needs. `make bench` and `make audit` need no
# RabbitMQ.
status=0
for service in "${@:-postgres redis rabbitmq}"; do
  for kind in $service; do
    case $kind in
      postgres) ensure postgres PostgreSQL DATABASE_URL "$DEFAULT_DATABASE_URL" || status=1 ;;
      redis) ensure redis Redis REDIS_URL "$DEFAULT_REDIS_URL" || status=1 ;;
      rabbitmq) ensure rabbitmq RabbitMQ RABBITMQ_URL "$DEFAULT_RABBITMQ_URL" || status=1 ;;
      *) echo "unknown service $kind: postgres, redis or rabbitmq" >&2; status=1 ;;
    esac
  done
done
exit $status
