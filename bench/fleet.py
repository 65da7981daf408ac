#!/usr/bin/env python3
"""The fleet at scale (docs/FLEET.md): N simulated boxes (bench/fleet-load,
one process, one MQTT client each, TLS with a client certificate) report
over the 3-node nats-server cluster of tests/integration/fleetlab.py into
PostgreSQL through yamori-fleet aggregators sharing one durable consumer.

  sudo python3 bench/fleet.py [--boxes 10000] [--reports 1]
                              [--aggregators 2] [--connect-rate 250]

Prints one JSON object: the load generator's summary (reports acknowledged
by the broker per second, acknowledgement latency), reports per second end
to end (first publish to the last row in PostgreSQL), the end-to-end
latency percentiles (publish to the row's commit), and each node's memory
(resident set, sampled every second; the peak and the end). Root (network
namespaces); several minutes for 10,000 boxes on 2 cores."""
import argparse
import json
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "integration"))
import fleetlab  # noqa: E402
from fleetlab import sh, wait_for  # noqa: E402


def pct(xs, p):
    xs = sorted(xs)
    return xs[int(p * (len(xs) - 1) + 0.5)] if xs else 0.0


def rss_kib(pid):
    """Resident set of pid and its children (ip netns exec execs, so the
    pid is nats-server's own)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--boxes", type=int, default=10000)
    ap.add_argument("--reports", type=int, default=1)
    ap.add_argument("--interval-ms", type=int, default=1000)
    ap.add_argument("--aggregators", type=int, default=2)
    ap.add_argument("--connect-rate", type=float, default=250)
    ap.add_argument("--per-process", type=int, default=5000)
    a = ap.parse_args()
    miss = fleetlab.missing()
    if miss:
        print("needs " + ", ".join(miss), file=sys.stderr)
        return 77
    lab = fleetlab.Lab("b")
    try:
        lab.start_cluster()
        lab.start_postgres()
        for _ in range(a.aggregators):
            lab.start_aggregator(batch=256)
        pids = [p.pid for name, p in sorted(lab.procs.items())]
        peak = [0] * len(pids)
        done = threading.Event()

        def sample():
            while not done.is_set():
                for i, pid in enumerate(pids):
                    peak[i] = max(peak[i], rss_kib(pid))
                time.sleep(1)
        threading.Thread(target=sample, daemon=True).start()
        idle = [rss_kib(p) for p in pids]
        # One fleet-load process holds a.per_process boxes (each client
        # takes two or three files; this machine allows 20,000 a process).
        procs, outs = [], []
        t0 = time.time()
        for k in range(0, a.boxes, a.per_process):
            n = min(a.per_process, a.boxes - k)
            out = os.path.join(lab.tmp, "load%d.jsonl" % k)
            outs.append(out)
            procs.append(subprocess.Popen(lab.hub_exec(
                fleetlab.LOAD, "--servers", lab.servers(), "--boxes",
                str(n), "--reports", str(a.reports), "--interval-ms",
                str(a.interval_ms), "--ca", lab.ca, "--cert", lab.box_crt,
                "--key", lab.box_key, "--seed", str(2026 + k), "--out", out,
                "--timeout", "3000", "--connect-rate",
                str(a.connect_rate / ((a.boxes + a.per_process - 1)
                                      // a.per_process))),
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                text=True))
        summaries = []
        for p in procs:
            text, _ = p.communicate()
            if not text.strip():
                print("fleet-load failed", file=sys.stderr)
                return 1
            summaries.append(json.loads(text))
        acks = []
        for out in outs:
            with open(out) as f:
                acks += [json.loads(line)["ack_ms"] for line in f]
        span = max(s["seconds"] for s in summaries)
        summary = {
            "processes": len(procs),
            "reports_acked": sum(s["reports_acked"] for s in summaries),
            "seconds": span,
            "acked_per_s": round(sum(s["reports_acked"]
                                     for s in summaries) / span, 1),
            "reconnects": sum(s["reconnects"] for s in summaries),
            "ack_ms": {"p50": round(pct(acks, 0.5), 1),
                       "p90": round(pct(acks, 0.9), 1),
                       "p99": round(pct(acks, 0.99), 1)},
        }
        after = [rss_kib(p) for p in pids]
        total = summary["reports_acked"]
        wait_for(lambda: lab.stats()["reports"] >= total, 1800,
                 "every report in PostgreSQL", step=2)
        done.set()
        published = {}
        for out in outs:
            with open(out) as f:
                for line in f:
                    r = json.loads(line)
                    published[r["report"]["report_id"]] = r["published_at"]
        rows = lab.psql("SELECT report_id, extract(epoch from received)"
                        " FROM reports").splitlines()
        lat, last = [], 0.0
        late, late_first, late_last = 0, None, 0.0
        for row in rows:
            rid, at = row.split(",")
            at = float(at)
            last = max(last, at)
            if rid in published:
                lat.append((at - published[rid]) * 1000)
                # Reports after the first: every box connected by then
                # (the connection storm is over), the steady state.
                if int(rid.split("-")[1]) > 1:
                    late += 1
                    p0 = published[rid]
                    late_first = p0 if late_first is None else min(
                        late_first, p0)
                    late_last = max(late_last, at)
        first = min(published.values())
        result = {
            "boxes": a.boxes, "reports": total,
            "aggregators": a.aggregators,
            "load": summary,
            "end_to_end_reports_per_s": round(total / (last - first), 1),
            "end_to_end_seconds": round(last - first, 1),
            "end_to_end_ms": {"p50": round(pct(lat, 0.5), 1),
                              "p90": round(pct(lat, 0.9), 1),
                              "p99": round(pct(lat, 0.99), 1),
                              "max": round(max(lat), 1)},
            "node_rss_mib": {"idle": [round(x / 1024, 1) for x in idle],
                             "after": [round(x / 1024, 1)
                                           for x in after],
                             "peak": [round(x / 1024, 1) for x in peak]},
            "steady_reports": late,
            "steady_reports_per_s": round(late / (late_last - late_first), 1)
            if late else None,
            "wall_s": round(time.time() - t0, 1),
            "postgres_mib": round(int(lab.psql(
                "SELECT pg_database_size('fleet')")) / 1048576, 1),
        }
        lab.stop_aggregators()
        print(json.dumps(result, indent=1))
    finally:
        lab.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
