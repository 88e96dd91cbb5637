# Shared by scripts/dev, scripts/test and scripts/bench. Source it; do not run it.
#
#   ensure_venv                 .venv with the pinned tools of scripts/requirements.txt
#   free_port                   print a free TCP port on 127.0.0.1
#   start_emulator PORT LOG     moto server (DynamoDB, S3, SNS) in the background
#   aws_env PORT                export the variables that point the AWS SDK at it
#   build_devstack              build the devstack helper once
#   devstack ARGS…              run it
#   provision_and_seed          create the template's resources, seed demo data
#   start_api PORT LOG          cargo lambda watch serving every function
#   start_relay API_PORT LOG S  feed the table's stream and a schedule to the notifications
#                               function, and new uploads to the media function (what AWS
#                               does; moto does not), sweep every S s
#   seed_demo_reports API_URL   a few demo complaints in Tunis, through the API (demo.py)
#   wait_http URL SECONDS       wait until URL answers 2xx
#   cleanup_register PID        kill PID (and its group) when the script exits

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.venv"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

ensure_venv() {
    local req="$ROOT/scripts/requirements.txt" stamp="$VENV/.requirements.sha256"
    local want
    want="$(sha256sum "$req" | cut -d' ' -f1)"
    if [[ -x "$VENV/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        export PATH="$VENV/bin:$PATH"
        return
    fi
    log "installing the local stack's tools into .venv (pinned, once)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --upgrade pip >/dev/null
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$req"
    echo "$want" >"$stamp"
    export PATH="$VENV/bin:$PATH"
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

CLEANUP_PIDS=()
cleanup_register() { CLEANUP_PIDS+=("$1"); }
cleanup() {
    local pid
    for pid in "${CLEANUP_PIDS[@]}"; do
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${CLEANUP_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT
# Turn signals into an ordinary exit, so that the EXIT trap stops the stack.
trap 'exit 130' INT
trap 'exit 143' TERM

aws_env() {
    export AWS_ENDPOINT_URL="http://127.0.0.1:$1"
    export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
    export AWS_REGION="${AWS_REGION:-eu-west-3}"
    unset AWS_PROFILE AWS_SESSION_TOKEN
}

wait_http() {
    local url="$1" secs="$2" i
    for ((i = 0; i < secs * 2; i++)); do
        if curl -fsS -o /dev/null "$url" 2>/dev/null; then return 0; fi
        sleep 0.5
    done
    echo "timed out waiting for $url" >&2
    return 1
}

start_emulator() {
    local port="$1" logfile="$2"
    log "starting the AWS emulator (moto) on 127.0.0.1:$port"
    # One request at a time: see scripts/lib/emulator.py (moto's transactions).
    setsid "$VENV/bin/python" "$ROOT/scripts/lib/emulator.py" -H 127.0.0.1 -p "$port" >"$logfile" 2>&1 &
    cleanup_register $!
    wait_http "http://127.0.0.1:$port/moto-api/data.json" 60
}

build_devstack() {
    cargo build --quiet -p devstack
}

devstack() {
    "$ROOT/target/debug/devstack" "$@"
}

provision_and_seed() {
    log "creating the template's table, buckets and topics; seeding demo data"
    devstack provision >/dev/null
    devstack seed
}

start_api() {
    local port="$1" logfile="$2"
    log "building and serving every function with cargo lambda watch on 127.0.0.1:$port"
    # The functions' environment comes from template.yaml, resolved to local names.
    eval "$(devstack env)"
    # Local only: the scheduler may be run as at a later time (a test's event
    # `time`, to see a scheduled post published without waiting for it).
    export BALADIYA_SCHEDULER_EVENT_TIME=1
    # setsid directly (no subshell), so that $! is the process group to stop.
    pushd "$ROOT" >/dev/null
    setsid cargo lambda watch -A 127.0.0.1 -P "$port" --ignore-changes >"$logfile" 2>&1 &
    cleanup_register $!
    popd >/dev/null
    wait_http "http://127.0.0.1:$port/v1/governorates" 600
}

# The Open311 key `devstack seed` gives Tunis (tools/devstack/src/main.rs).
DEMO_OPEN311_KEY="key_01JDEM0PEN311KEY0000000000.local-demo-open311-key-of-tunis-not-secret0"

seed_demo_reports() {
    log "filing demo complaints in Tunis through the API"
    "$VENV/bin/python" "$ROOT/scripts/lib/demo.py" --api "$1" \
        --citizen "$(devstack token --phone +21620000099)" \
        --staff "$(devstack token --phone +21620000001)" \
        --open311-key "$DEMO_OPEN311_KEY"
}

start_relay() {
    local api_port="$1" logfile="$2" sweep="${3:-60}"
    log "relaying the table's stream and a ${sweep}s schedule to the notifications function"
    setsid "$VENV/bin/python" "$ROOT/scripts/lib/relay.py" --endpoint "$AWS_ENDPOINT_URL" \
        --table "$BALADIYA_TABLE" --invoke "http://127.0.0.1:$api_port" \
        --region "$AWS_REGION" --sweep-seconds "$sweep" \
        --uploads-bucket "$BALADIYA_ATTACHMENTS_BUCKET" >"$logfile" 2>&1 &
    cleanup_register $!
}
