"""Local stand-in for what AWS does with the table's stream and the schedule.

The emulator (moto) records the DynamoDB stream but invokes no function on it, and
nothing runs scheduled rules locally. This relay does both, the way AWS would:

- it reads the table's stream and hands new notices and broadcasts (INSERT of
  an item whose `type` is `notice` or `broadcast`: the filter of template.yaml's NewNotices event) to the
  `notifications` function, in batches of at most 25;
- it watches the attachments bucket for uploads under `tmp/` and hands each to
  the `media` function as an S3 `ObjectCreated` event (template.yaml's Uploaded
  event);
- every RELAY_SWEEP_SECONDS it invokes the same function with a scheduled event
  (template.yaml's Sweep: rate(1 minute)), which retries undelivered notices; and
  every --scheduler-seconds (5 minutes) the `scheduler` function (template.yaml's
  Deadlines schedule: reminders, overdue requests, appeals refused by silence).

Functions are invoked through `cargo lambda watch`'s invoke endpoint, so they run
exactly as the API's do. It prints counts only: records carry no personal data
beyond ids, and none is printed.

    python relay.py --endpoint http://127.0.0.1:5000 --table baladiya-table \
        --invoke http://127.0.0.1:9000 [--sweep-seconds 60]
"""

import argparse
import json
import threading
import time
import urllib.parse
import urllib.request

import boto3

FUNCTION = "notifications"


def wanted(record):
    image = record.get("dynamodb", {}).get("NewImage", {})
    return (record.get("eventName") == "INSERT"
            and image.get("type", {}).get("S") in ("notice", "broadcast"))


def invoke(base, payload, function=FUNCTION):
    req = urllib.request.Request(
        f"{base}/2015-03-31/functions/{function}/invocations",
        data=json.dumps(payload, default=str).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(req, timeout=120) as res:
        return json.loads(res.read() or b"null")


def stream_loop(a, ddb, streams):
    """Hand new notices to the function. Positions are kept as sequence numbers
    and a fresh iterator is asked for at every poll: moto replaces a table's
    stream object when it rolls back a failed transaction, and an iterator held
    across that would read the old one forever. A position only moves on once
    the records read were handed over."""
    stream_arn = ddb.describe_table(TableName=a.table)["Table"]["LatestStreamArn"]
    last = {}  # shard id -> last sequence number handled (None: nothing yet)
    seen = relayed = 0
    started = False
    last_report = time.monotonic()
    while True:
        try:
            quiet = True
            for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
                sid = shard["ShardId"]
                if last.get(sid) is None:
                    it = streams.get_shard_iterator(
                        StreamArn=stream_arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON")
                else:
                    it = streams.get_shard_iterator(
                        StreamArn=stream_arn, ShardId=sid,
                        ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=last[sid])
                out = streams.get_records(ShardIterator=it["ShardIterator"], Limit=1000)
                records = out.get("Records", [])
                if not records:
                    last.setdefault(sid, None)
                    continue
                quiet = False
                # What was there before the relay started is not new (as LATEST).
                if started:
                    seen += len(records)
                    notices = [r for r in records if wanted(r)]
                    for i in range(0, len(notices), 25):
                        result = invoke(a.invoke, {"Records": notices[i:i + 25]})
                        relayed += len(notices[i:i + 25])
                        print(f"relay: {len(notices[i:i + 25])} new notice(s): {result}", flush=True)
                last[sid] = str(max(int(r["dynamodb"]["SequenceNumber"]) for r in records))
            # Caught up with what was there at start: from now on, records are new.
            started = started or quiet
        except Exception as e:  # keep relaying: the emulator or the watcher may restart
            print(f"relay: stream: {type(e).__name__}: {e}", flush=True)
            time.sleep(2)
        if time.monotonic() - last_report > 30:
            last_report = time.monotonic()
            print(f"relay: stream: {seen} records read, {relayed} notices relayed", flush=True)
        time.sleep(0.3)


def uploads_loop(a, s3):
    """What S3 would notify: each new object under tmp/, once."""
    seen = set()
    while True:
        try:
            listing = s3.list_objects_v2(Bucket=a.uploads_bucket, Prefix="tmp/")
            current = {o["Key"]: o["Size"] for o in listing.get("Contents", [])}
            for key, size in current.items():
                if key in seen:
                    continue
                event = {"Records": [{
                    "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": a.region,
                    "eventName": "ObjectCreated:Put",
                    "s3": {"bucket": {"name": a.uploads_bucket},
                           "object": {"key": urllib.parse.quote_plus(key, safe="/"), "size": size}},
                }]}
                result = invoke(a.invoke, event, "media")
                seen.add(key)
                print(f"relay: 1 upload: {result}", flush=True)
            seen &= set(current)
        except Exception as e:
            print(f"relay: uploads: {type(e).__name__}: {e}", flush=True)
            time.sleep(2)
        time.sleep(0.5)


def sweep_loop(a):
    last_scheduler = time.monotonic()
    while True:
        time.sleep(a.sweep_seconds)
        try:
            result = invoke(a.invoke, {
                "version": "0", "source": "aws.events", "detail-type": "Scheduled Event",
                "resources": ["local-sweep"], "detail": {},
            })
            if result and result.get("notices"):
                print(f"relay: sweep: {result}", flush=True)
        except Exception as e:
            print(f"relay: sweep: {type(e).__name__}: {e}", flush=True)
        # The scheduler reads every municipality's queues (index queries, which
        # the emulator answers by reading the whole table): less often.
        if time.monotonic() - last_scheduler < a.scheduler_seconds:
            continue
        last_scheduler = time.monotonic()
        try:
            result = invoke(a.invoke, {
                "version": "0", "source": "aws.events", "detail-type": "Scheduled Event",
                "resources": ["local-deadlines"], "detail": {},
            }, "scheduler")
            if result and any(result.get(k) for k in
                              ("due_soon", "overdue", "refused_by_silence", "errors")):
                print(f"relay: scheduler: {result}", flush=True)
        except Exception as e:
            print(f"relay: scheduler: {type(e).__name__}: {e}", flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--endpoint", required=True)
    p.add_argument("--table", required=True)
    p.add_argument("--invoke", required=True)
    p.add_argument("--region", default="eu-west-3")
    p.add_argument("--sweep-seconds", type=float, default=60.0)
    p.add_argument("--scheduler-seconds", type=float, default=300.0)
    p.add_argument("--uploads-bucket")
    a = p.parse_args()
    kw = dict(endpoint_url=a.endpoint, region_name=a.region,
              aws_access_key_id="local", aws_secret_access_key="local")
    ddb = boto3.client("dynamodb", **kw)
    streams = boto3.client("dynamodbstreams", **kw)
    print(f"relay: {a.table} stream -> {FUNCTION}; sweep every {a.sweep_seconds:g}s", flush=True)
    threading.Thread(target=sweep_loop, args=(a,), daemon=True).start()
    if a.uploads_bucket:
        s3 = boto3.client("s3", **kw)
        threading.Thread(target=uploads_loop, args=(a, s3), daemon=True).start()
    stream_loop(a, ddb, streams)


if __name__ == "__main__":
    main()
