"""`bench/run --storm` and `bench/run --overload`: open-loop load from bench/load.rs (the `load`
example) against one release `birlik serve` on PostgreSQL with the demo data, on this machine.

  --storm      the morning sync storm: 50,000 MyTasks delta syncs in 60 s (833 a second), each as
               a different volunteer (the demo's 52,480 volunteers, each given an account here,
               with tokens the client signs with the server's key); target p99 < 200 ms, no error
  --overload   the sustainable rate of a read mix (MyTasks, OpenTasks, DonationStats) found by a
               short ramp, then 1×, 2×, 5× and 10× of it: admitted rate and p99 (target < 1 s),
               refusals (503 at once), time-outs (target none), then the recovery once the load
               stops (target: within seconds)

`b` is bench/run's module: its helpers (log, die, psql, run, Birlik, proc_status, cleanups).
"""

import datetime
import json
import os
import resource
import secrets
import shutil
import subprocess
import tempfile
import time

STORM_RATE = 50_000 / 60
MIX = [  # name, operation file, role, variables
    ("MyTasks", "volunteer-app/MyTasks", "Volunteer", None),
    ("OpenTasks", "volunteer-app/OpenTasks", "Volunteer", {}),
    ("DonationStats", "ministry/DonationStats", "Ministry", {"groupBy": ["REGION", "CATEGORY"]}),
]


def _setup(b, args, label):
    """The release binary and the load client, a fresh database with the demo data (every
    volunteer given an account), and a server on it: (server, db, work, binary, secret)."""
    want = 20_000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    for t in ("psql",):
        if not shutil.which(t):
            b.die(f"missing: {t}")
    work = tempfile.mkdtemp(prefix=f"birlik-bench-{label}-")
    b.cleanups.append(lambda: shutil.rmtree(work, ignore_errors=True))
    if not args.no_build:
        cargo = ["cargo", "build", "--release", "--example", "load"]
        if not args.binary:
            cargo += ["--bin", "birlik"]
        b.log(" ".join(cargo))
        if subprocess.run(cargo, cwd=b.ROOT, timeout=3600).returncode != 0:
            b.die("the release build failed")
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(b.ROOT, "target"))
    binary = os.path.join(work, "birlik")
    shutil.copy2(args.binary or os.path.join(target, "release", "birlik"), binary)
    client = os.path.join(work, "load")
    shutil.copy2(os.path.join(target, "release", "examples", "load"), client)

    db = f"birlik_bench_{label}_{os.getpid()}"
    b.psql("postgres", f"DROP DATABASE IF EXISTS {db}")
    b.psql("postgres", f"CREATE DATABASE {db}")
    b.cleanups.append(lambda: b.psql("postgres", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
    secret = secrets.token_urlsafe(48)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BIRLIK_", "DATABASE_URL"))}
    env.update(DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{db}", BIRLIK_JWT_SECRET=secret)
    b.log(f"loading the demo data into {db}")
    b.run([binary, "migrate"], env=env, timeout=300)
    b.run([binary, "demo-data"], env=env, timeout=900)
    # The demo has three accounts; the storm is every volunteer opening the app: one account
    # each (never logged in: the client signs their tokens), with the demo's one password hash.
    b.psql(db, """INSERT INTO user_account (email, password_hash, role, display_name, volunteer_id,
        created_at, updated_at, version)
        SELECT 'v' || v.id || '@storm.bench.invalid',
               (SELECT password_hash FROM user_account WHERE role = 'volunteer' LIMIT 1),
               'volunteer', v.full_name, v.id, now(), now(), 1
        FROM volunteer v WHERE NOT EXISTS (SELECT 1 FROM user_account u WHERE u.volunteer_id = v.id)""",
           timeout=600)
    b.psql(db, "VACUUM (FREEZE, ANALYZE)", timeout=600)
    server = b.Birlik(binary, env, os.path.join(work, "birlik.log"), db=db)
    return server, db, work, client, secret


def _accounts(b, db, role):
    sql = {"Volunteer": "SELECT id, volunteer_id, organization_id FROM user_account "
                        "WHERE role = 'volunteer' AND disabled_at IS NULL ORDER BY id",
           "Ministry": "SELECT id, volunteer_id, organization_id FROM user_account "
                       "WHERE role = 'ministry' AND disabled_at IS NULL ORDER BY id"}[role]
    out = []
    for line in b.psql(db, sql, timeout=120).splitlines():
        out.append([int(x) if x else None for x in line.split("|")])
    return out


def _load(b, client, plan, rate, secs, work, extra=()):
    """Runs the load client once; its JSON report."""
    cmd = [client, plan, "--rate", f"{rate:.3f}", "--duration", str(secs), *extra]
    r = subprocess.run(cmd, cwd=work, timeout=secs + 180, text=True, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if r.returncode != 0:
        b.die(f"the load client failed ({r.returncode}): {r.stderr[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def _body(b, path, variables):
    return {"query": open(os.path.join(b.OPS, path + ".graphql")).read(),
            "variables": variables or {}}


def _meta(b, extra):
    versions = (f"birlik {b.run(['git', '-C', b.ROOT, 'rev-parse', '--short', 'HEAD'], check=False).strip()}"
                f", postgres {b.psql('postgres', 'SHOW server_version')}")
    return (f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} "
            f"cores (nproc) shared by the server, PostgreSQL and the client; {extra}; {versions}")


def _write(b, args, marker, meta, table):
    """Writes the run into BENCHMARKS.md between `<!-- marker:begin -->` and `<!-- marker:end -->`
    (not with --no-write, nor for a shortened smoke run)."""
    if args.no_write or args.duration:
        return
    import re
    path = os.path.join(b.ROOT, "BENCHMARKS.md")
    text = open(path).read()
    if f"<!-- {marker}:begin -->" not in text:
        b.die(f"BENCHMARKS.md has no <!-- {marker}:begin --> marker")
    block = f"<!-- {marker}:begin -->\n{meta}\n\n{table}\n<!-- {marker}:end -->"
    text = re.sub(f"<!-- {marker}:begin -->.*<!-- {marker}:end -->", lambda _: block, text,
                  flags=re.S)
    with open(path, "w") as f:
        f.write(text)
    b.log(f"wrote BENCHMARKS.md ({marker} section)")


def storm(b, args):
    secs = args.duration or 60
    rate = args.rate or STORM_RATE
    server, db, work, client, secret = _setup(b, args, "storm")
    volunteers = _accounts(b, db, "Volunteer")
    b.log(f"{len(volunteers):,} volunteer accounts")
    # updatedSince: what the app's previous sync gave (a first sync, as the demo volunteer).
    first = _load_one(b, server, secret, volunteers[0], _body(b, "volunteer-app/MyTasks", {}))
    since = first["data"]["myTasks"]["syncedAt"]
    plan = os.path.join(work, "storm.json")
    with open(plan, "w") as f:
        json.dump({"url": server.url, "secret": secret, "mix": [{
            "name": "MyTasks", "role": "Volunteer", "accounts": volunteers,
            "body": _body(b, "volunteer-app/MyTasks", {"updatedSince": since})}]}, f)
    before = b.proc_status(server.p.pid)
    m0 = b.metrics(server.base)
    t0 = time.time()
    b.log(f"storm: {rate * secs:,.0f} MyTasks delta syncs in {secs} s ({rate:,.0f}/s), "
          f"updatedSince {since}")
    r = _load(b, client, plan, rate, secs, work, ["--timeout-ms", "10000"])
    wall = time.time() - t0
    after = b.proc_status(server.p.pid)
    m1 = b.metrics(server.base)
    server.stop()
    c, lat = r["counts"], r["latency_ms"]
    failed = c["errors"] + c["refused"] + c["timeout"] + c["other"] + c["skipped"]
    reqs = m1["birlik_graphql_requests_total"] - m0["birlik_graphql_requests_total"]
    stmts = m1["birlik_sql_statements_total"] - m0["birlik_sql_statements_total"]
    rows = [
        ("syncs sent", f"{r['requests']:,} in {r['duration_s']:.1f} s ({r['requests'] / r['duration_s']:,.0f}/s)",
         f"{50_000 * secs / 60:,.0f} in {secs} s"),
        ("answered ok", f"{c['ok']:,}", "all"),
        ("p50 ms", f"{lat['ok'].get('p50', '—')}", ""),
        ("p99 ms", f"{lat['ok'].get('p99', '—')}", "< 200"),
        ("max ms", f"{lat['ok'].get('max', '—')}", ""),
        ("errors / refused / time-outs / other / skipped",
         f"{c['errors']} / {c['refused']} / {c['timeout']} / {c['other']} / {c['skipped']}", "0"),
        ("server CPU", f"{100 * (after['cpu'] - before['cpu']) / wall:.0f} % of one core", ""),
        ("SQL statements per sync", f"{stmts / reqs:.2f}" if reqs else "—", ""),
        ("distinct volunteers", f"{min(len(volunteers), r['requests']):,}", ""),
    ]
    table = "\n".join(["| storm | measured | target |", "|---|---|---|"] +
                      [f"| {a} | {m} | {t} |" for a, m, t in rows])
    meta = _meta(b, f"one release `birlik serve` (pool {os.environ.get('BIRLIK_DB_POOL_SIZE', 16)}), "
                    f"`BIRLIK_RATE_LIMIT=0`; bench/load.rs, open loop")
    print()
    print(meta)
    print()
    print(table)
    ok = failed == 0 and (lat["ok"].get("p99") or 1e9) < 200
    b.log("storm: " + ("target met" if ok else "target MISSED"))
    with open(os.path.join(work, "storm-report.json"), "w") as f:
        json.dump(r, f)
    os.makedirs(os.path.join(b.BENCH, "out"), exist_ok=True)
    with open(os.path.join(b.BENCH, "out", "storm.md"), "w") as f:
        f.write(meta + "\n\n" + table + "\n")
    shutil.copy(os.path.join(work, "storm-report.json"), os.path.join(b.BENCH, "out", "storm.json"))
    _write(b, args, "storm", meta, table)
    return 0 if ok else 1


def _load_one(b, server, secret, account, body):
    """One request as an account, with a token the client would sign: through the load client
    itself (rate 1, 1 request), so that the token is made one way only. Returns the answer."""
    # A login would do for the demo volunteer, but the storm's accounts have no password.
    import urllib.request
    token = _token(secret, account, "Volunteer")
    req = urllib.request.Request(server.url, data=json.dumps(body).encode(), headers={
        "content-type": "application/json", "authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=30) as r:
        out = json.loads(r.read().decode())
    if out.get("errors"):
        b.die(f"a first sync failed: {out['errors']}")
    return out


def _token(secret, account, role):
    """An HS256 access token as auth::jwt issues it (for one request the harness makes itself)."""
    import base64
    import hashlib
    import hmac
    now = int(time.time())
    claims = {"sub": str(account[0]), "role": role, "iss": "birlik", "aud": "birlik-api",
              "iat": now, "nbf": now, "exp": now + 900}
    if account[1] is not None:
        claims["vol"] = account[1]
    if account[2] is not None:
        claims["org"] = account[2]
    enc = lambda d: base64.urlsafe_b64encode(json.dumps(d, separators=(",", ":")).encode()).rstrip(b"=")
    signing = enc({"alg": "HS256", "typ": "JWT"}) + b"." + enc(claims)
    sig = base64.urlsafe_b64encode(hmac.new(secret.encode(), signing, hashlib.sha256).digest()).rstrip(b"=")
    return (signing + b"." + sig).decode()


def overload(b, args):
    secs = args.duration or 10
    ramp_secs = 3
    server, db, work, client, secret = _setup(b, args, "overload")
    volunteers = _accounts(b, db, "Volunteer")
    ministry = _accounts(b, db, "Ministry")
    first = _load_one(b, server, secret, volunteers[0], _body(b, "volunteer-app/MyTasks", {}))
    since = first["data"]["myTasks"]["syncedAt"]
    mix = []
    for name, path, role, variables in MIX:
        if variables is None:
            variables = {"updatedSince": since}
        mix.append({"name": name, "role": role,
                    "accounts": volunteers if role == "Volunteer" else ministry,
                    "body": _body(b, path, variables)})
    plan = os.path.join(work, "overload.json")
    with open(plan, "w") as f:
        json.dump({"url": server.url, "secret": secret, "mix": mix}, f)

    def sustainable(r):
        c = r["counts"]
        return (c["errors"] + c["refused"] + c["timeout"] + c["other"] + c["skipped"] == 0
                and r["ok_rate"] >= 0.97 * r["offered_rate"]
                and (r["latency_ms"]["ok"].get("p99") or 1e9) < 200)

    # the ramp: doubling until a step fails, then two halvings of the gap
    b.log(f"overload: ramp of {ramp_secs} s steps over {', '.join(m[0] for m in MIX)}")
    good, bad, rate = None, None, 50.0
    ramp = []
    while bad is None and rate <= 20_000:
        r = _load(b, client, plan, rate, ramp_secs, work)
        ramp.append(r)
        b.log(f"  {rate:,.0f}/s: ok {r['ok_rate']:,.0f}/s, p99 {r['latency_ms']['ok'].get('p99')} ms, "
              f"refused {r['counts']['refused']}, time-outs {r['counts']['timeout']}")
        if sustainable(r):
            good, rate = rate, rate * 2
        else:
            bad = rate
        time.sleep(2)
    if good is None:
        b.die("not even 50 requests a second are sustainable")
    for _ in range(2):
        if bad is None:
            break
        mid = (good * bad) ** 0.5
        r = _load(b, client, plan, mid, ramp_secs, work)
        ramp.append(r)
        b.log(f"  {mid:,.0f}/s: ok {r['ok_rate']:,.0f}/s, p99 {r['latency_ms']['ok'].get('p99')} ms")
        if sustainable(r):
            good = mid
        else:
            bad = mid
        time.sleep(2)
    b.log(f"sustainable: {good:,.0f}/s")

    rows, normal_p99 = [], None
    for k in (1, 2, 5, 10):
        rate = good * k
        extra = ["--timeout-ms", "10000"]
        if k == 10:
            probe = max(50.0, 2 * (normal_p99 or 25))
            extra += ["--probe-ms", f"{probe:.0f}"]
        b.log(f"overload {k}×: {rate:,.0f}/s for {secs} s")
        m0 = b.metrics(server.base)
        r = _load(b, client, plan, rate, secs, work, extra)
        m1 = b.metrics(server.base)
        if k == 1:
            normal_p99 = r["latency_ms"]["ok"].get("p99")
        rows.append((k, r, {n: m1[n] - m0[n] for n in m1 if n.startswith("birlik_admission_")
                            and n.endswith("_total")}))
        time.sleep(3)
    server.stop()

    head = ("| load | offered /s | admitted /s | refused | admitted p50 ms | admitted p99 ms "
            "(< 1000) | refusal p99 ms | time-outs (0) | other | client skipped |")
    lines = [head, "|---|---|---|---|---|---|---|---|---|---|"]
    for k, r, m in rows:
        c, lat = r["counts"], r["latency_ms"]
        admitted = (c["ok"] + c["errors"]) / r["duration_s"]
        refused = 100 * c["refused"] / max(1, r["requests"])
        lines.append(f"| {k}× | {r['requests'] / r['duration_s']:,.0f} | {admitted:,.0f} | "
                     f"{refused:.1f} % | {lat['ok'].get('p50', '—')} | {lat['ok'].get('p99', '—')} | "
                     f"{lat['refused'].get('p99', '—')} | {c['timeout']} | {c['other'] + c['errors']} | "
                     f"{c['skipped']} |")
    recovery = rows[-1][1].get("recovery") or {}
    rec = recovery.get("seconds")
    lines += ["", f"Recovery: the first request served within {max(50.0, 2 * (normal_p99 or 25)):.0f} ms "
              f"(twice the 1× p99, at least 50 ms) came "
              + (f"{rec:.2f} s after the 10× load stopped" if rec is not None else "never (60 s)")
              + " (target: within seconds)."]
    table = "\n".join(lines)
    meta = _meta(b, f"sustainable rate {good:,.0f}/s (ramp of {ramp_secs} s steps: no refusal, "
                    f"no error, p99 < 200 ms); steps of {secs} s; mix "
                    f"{' + '.join(m[0] for m in MIX)} in turn")
    print()
    print(meta)
    print()
    print(table)
    os.makedirs(os.path.join(b.BENCH, "out"), exist_ok=True)
    with open(os.path.join(b.BENCH, "out", "overload.md"), "w") as f:
        f.write(meta + "\n\n" + table + "\n")
    with open(os.path.join(b.BENCH, "out", "overload.json"), "w") as f:
        json.dump({"ramp": ramp, "steps": [r for _, r, _ in rows]}, f)
    _write(b, args, "overload", meta, table)
    worst = max((r["latency_ms"]["ok"].get("p99") or 0) for _, r, _ in rows)
    timeouts = sum(r["counts"]["timeout"] for _, r, _ in rows)
    ok = worst < 1000 and timeouts == 0 and rec is not None and rec < 5
    b.log("overload: " + ("targets met" if ok else "target MISSED"))
    return 0 if ok else 1
