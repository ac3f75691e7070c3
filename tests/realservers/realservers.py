#!/usr/bin/env python3
"""mxtally against real mail servers: the driver.

For each mail system (Dovecot+Postfix, Exim, ...) and each way it can
lay out its log, start the daemons in a sandbox (common.Sandbox), run the
scenarios with real clients, recording what each client was told
(common.Truth), stop the daemons, then run mxtally on the logs (-j1, -j2,
and gzip and zstd copies) and compare its per-cause, per-user and traffic
counts with the truth.  Every difference is printed with the cause, the
expected and the actual count and the log lines involved.

usage: realservers.py [--keep DIR] [--only SYSTEM[,..]] [--copy-to DIR]
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common                    # noqa: E402
from syslogd import Syslog        # noqa: E402

MXTALLY = os.environ.get("MXTALLY", "./mxtally")
SYSTEMS = {}


def systems():
    import dovecot_postfix
    import exim
    import opensmtpd
    import courier
    import cyrus
    SYSTEMS["dovecot-postfix"] = dovecot_postfix
    SYSTEMS["exim"] = exim
    SYSTEMS["opensmtpd"] = opensmtpd
    SYSTEMS["courier"] = courier
    SYSTEMS["cyrus"] = cyrus
    return SYSTEMS


def one_run(mod, layout, slot, workdir, rules):
    """Start one daemon set with one log layout, provoke it, stop it,
    with `mxtally watch` following each set of log files all along.
    Returns {layout name: [log files]}, the truth, the sandbox root and
    {layout name: common.Watch} (still running: the caller stops them)."""
    root = os.path.join(workdir, "%s-%s" % (mod.System.name, layout))
    sb = common.Sandbox(root, slot, mod.System.tmpfs(root), mod.System.binds(root),
                        mod.System.overlays(root))
    syslog = None
    truth = common.Truth()
    watches = {}
    ok = False
    try:
        sysobj = mod.System(sb, layout)
        if layout == "syslog":
            syslog = Syslog(sb.devlog, sb.log, socket.gethostname().split(".")[0])
        sysobj.configure()
        if syslog:
            sets = {k: [v] for k, v in syslog.paths.items()}
        else:
            sets = {layout: sorted(sysobj.logs.values())}
        for lname, files in sets.items():
            watches[lname] = common.Watch(MXTALLY, files, rules, os.path.join(
                root, "watch-%s.stderr" % lname))
        sysobj.start()
        sysobj.scenarios(truth)
        ok = True
    finally:
        sb.stop()
        if syslog:
            time.sleep(0.3)
            syslog.close()
        if not ok:
            for w in watches.values():
                w.stop()
    return sets, truth, root, watches


def watch_rules(workdir):
    """One alert rule per cause the build knows (rules --dump), threshold
    1 in a window of 30 days, named as alert_causes names them."""
    r = subprocess.run([MXTALLY, "rules", "--dump"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, check=True)
    causes = sorted(set(re.findall(r"^\[cause\.([a-z0-9_]+)\]", r.stdout, re.M)))
    path = os.path.join(workdir, "watch.ini")
    with open(path, "w") as f:
        for c in causes:
            f.write("[r_%s]\ncause = %s\nthreshold = 1\nwindow = 30d\n\n" % (c, c))
    return path, set(causes)


def check_watch(label, watch, truth, want, alerted, known):
    """watch's counters per cause and its firing alerts (window events
    per rule) against what the clients were told (truth), the report's
    causes (want) and what `alert` fired over the same files (alerted)."""
    diffs = []
    try:
        m = watch.settle()
    except RuntimeError as e:
        print("FAIL %s: watch: %s" % (label, e))
        return [("watch settle", 0, 1)]
    events = {l["cause"]: int(v) for l, v in m["mxtally_events_total"] if v}
    fired = {}
    for l, v in m["mxtally_alert_window_events"]:
        fired[l["rule"][2:]] = fired.get(l["rule"][2:], 0) + int(v)
    firing = {l["rule"][2:] for l, v in m["mxtally_alerts_firing"] if v}
    exp = {c: n for c, n in truth.causes.items() if n}
    for c in sorted(set(want) - known):
        print("FAIL %s: watch has no rule for cause %s (not in rules --dump)"
              % (label, c))
        diffs.append(("watch rule %s" % c, 1, 0))
    for what, other in (("the clients were told", exp),
                        ("alert fired", alerted)):
        for c in sorted(set(other) | set(fired) | set(events)):
            if other.get(c, 0) != events.get(c, 0):
                print("FAIL %s: watch counted %d %s, %s %d"
                      % (label, events.get(c, 0), c, what, other.get(c, 0)))
                diffs.append(("watch events %s vs %s" % (c, what),
                              other.get(c, 0), events.get(c, 0)))
            if other.get(c, 0) != fired.get(c, 0):
                print("FAIL %s: watch's alert r_%s holds %d events, %s %d"
                      % (label, c, fired.get(c, 0), what, other.get(c, 0)))
                diffs.append(("watch alert %s vs %s" % (c, what),
                              other.get(c, 0), fired.get(c, 0)))
    if firing != set(alerted):
        print("FAIL %s: watch fires %s, alert %s"
              % (label, sorted(firing), sorted(alerted)))
        diffs.append(("watch firing vs alert", len(alerted), len(firing)))
    if diffs:
        print("  watch holds %d lines for joins, counted %d late"
              % (sum(v for _, v in m["mxtally_join_held_lines"]),
                 sum(v for _, v in m["mxtally_alert_late_events_total"])))
    return diffs


def mxtally(files, jobs, extra=()):
    r = subprocess.run([MXTALLY, "-f", "json", "-j", str(jobs)] + list(extra) + files,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode not in (0,):
        raise RuntimeError("mxtally exit %d: %s" % (r.returncode, r.stderr))
    return json.loads(r.stdout), r.stderr


def counts(rep):
    """The parts of a report that the truth predicts."""
    causes = {c: v["events"] for c, v in rep["causes"].items()}
    users = {u["user"]: u["causes"] for u in rep["users"]}
    t = rep["traffic"]
    traffic = {k: t[k] for k in ("received", "delivered", "rejected", "deferred", "bounced")}
    logins = t["logins"]
    details = {"%s/%s" % (c, k): n for c, v in rep["causes"].items()
               for k, n in v.get("detail", [])}
    return {"causes": causes, "users": users, "traffic": traffic, "logins": logins,
            "details": details}


# words that lines about a cause tend to hold, for the failures whose
# lines name no user (a full queue, an oversize DATA)
CAUSE_WORDS = {
    "message_too_large": r"too big|too large|size limit|exceeds",
    "system_storage": r"space|storage|internal error",
    "server_error": r"internal error|temporary",
    "quota_exceeded": r"quota",
    "lock_contention": r"lock",
    "auth_failure": r"auth|login|password",
    "unknown_mailbox": r"unknown|unrouteable|not found",
    "policy_rejection": r"relay|denied|not permitted",
}


def involved(files, cause, truth):
    """Log lines that may belong to a cause: those naming a user recorded
    for it, and failure lines with the cause's usual words."""
    keys = set()
    for r in truth.replies:
        if r["cause"] == cause and r["user"]:
            keys.add(r["user"].lower())
    words = re.compile(CAUSE_WORDS.get(cause, r"$^"), re.I)
    fail = re.compile(r"fail|err|reject|refus|lock|quota|space|storage|denied|"
                      r"unknown|exceed|too big|status=(deferred|bounced)|[45]\d\d ")
    out = []
    for f in files:
        with open(f, errors="replace") as fh:
            for line in fh:
                low = line.lower()
                if not fail.search(low):
                    continue
                if any(k in low for k in keys) or words.search(line):
                    out.append(line.rstrip("\n"))
    return out


def compare(label, files, truth, rep):
    """Print each difference; return the number of differences."""
    got = counts(rep)
    exp = truth.as_json()
    bad = []
    for c in sorted(set(exp["causes"]) | set(got["causes"])):
        e, g = exp["causes"].get(c, 0), got["causes"].get(c, 0)
        if e != g:
            bad.append(("cause %s" % c, e, g, c))
    for u in sorted(set(exp["users"]) | set(got["users"])):
        eu, gu = exp["users"].get(u, {}), got["users"].get(u, {})
        for c in sorted(set(eu) | set(gu)):
            if eu.get(c, 0) != gu.get(c, 0):
                bad.append(("user %s cause %s" % (u, c), eu.get(c, 0), gu.get(c, 0), c))
    for k, e in sorted(exp["traffic"].items()):
        g = got["traffic"].get(k, 0)
        if e != g:
            bad.append(("traffic %s" % k, e, g, None))
    for k in sorted(set(got["traffic"]) - set(exp["traffic"])):
        if got["traffic"][k]:
            bad.append(("traffic %s" % k, 0, got["traffic"][k], None))
    # the auth details the truth knows of (unknown_user), per cause
    for k in sorted(set(exp["details"]) | {d for d in got["details"]
                                           if d.endswith("/unknown_user")}):
        e, g = exp["details"].get(k, 0), got["details"].get(k, 0)
        if e != g:
            bad.append(("detail %s" % k, e, g, k.split("/")[0]))
    for p, c in sorted(exp["logins"].items()):
        for k in ("ok", "failed"):
            g = got["logins"].get(p, {}).get(k, 0)
            if c.get(k, 0) != g:
                bad.append(("logins %s %s" % (p, k), c.get(k, 0), g, None))
    # IMAP lock pairs: the refused client and the holder's, as the
    # clients used them (Dovecot names the holder's pid)
    gotp = {}
    for p in rep.get("lock_contention", {}).get("pairs", []):
        if p.get("protocol") == "imap":
            k = "imap/%s/%s/%s" % (p["user"], p["client"], p["holder_client"])
            gotp[k] = gotp.get(k, 0) + p["events"]
    expp = {"/".join(k[:4]): k[4] for k in map(tuple, exp["lock_pairs"])}
    for k in sorted(set(expp) | set(gotp)):
        if expp.get(k, 0) != gotp.get(k, 0):
            bad.append(("lock pair %s" % k, expp.get(k, 0), gotp.get(k, 0),
                        "lock_contention"))
    for what, e, g, cause in bad:
        print("FAIL %s: %s: expected %d, mxtally %d" % (label, what, e, g))
    shown = set()
    for what, e, g, cause in bad:
        if cause and cause not in shown:
            shown.add(cause)
            lines = involved(files, cause, truth)
            print("  log lines for %s (%d):" % (cause, len(lines)))
            for l in lines[:12]:
                print("    " + l)
    return [(w, e, g) for w, e, g, _ in bad]


def alert_causes(files, causes, label, workdir):
    """`mxtally alert` with one rule per cause (threshold 1, a window of
    30 days): each fires once, its "events" the events alert counted."""
    rules = os.path.join(workdir, label.replace("/", "_") + ".alerts.ini")
    with open(rules, "w") as f:
        for c in sorted(causes):
            f.write("[r_%s]\ncause = %s\nthreshold = 1\nwindow = 30d\n\n" % (c, c))
    r = subprocess.run([MXTALLY, "alert", "-q", "-j", "2", "--rules", rules] + files,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode not in (0, 1):
        raise RuntimeError("mxtally alert exit %d: %s" % (r.returncode, r.stderr))
    got = {}
    for line in r.stdout.splitlines():
        a = json.loads(line)
        got[a["rule"][2:]] = got.get(a["rule"][2:], 0) + a["events"]
    return got


def check_layout(label, files, truth, workdir):
    """mxtally -j1 against the truth; -j2, gzip and zstd copies against -j1;
    alert's counts per cause against the report's. Returns the report,
    the differences, the report's events per cause and alert's."""
    diffs = []
    rep1, err1 = mxtally(files, 1)
    for w in rep1["input"].get("warnings", []):
        print("  note %s: mxtally warning: %s" % (label, w))
    diffs += compare(label, files, truth, rep1)
    want = {c: v["events"] for c, v in rep1["causes"].items() if v["events"]}
    got = alert_causes(files, want, label, workdir)
    if got != want:
        print("FAIL %s: alert counts %s, the report %s" % (label, got, want))
        diffs.append(("alert vs report", 0, 1))
    rep2, _ = mxtally(files, 2)
    if json.dumps(rep1, sort_keys=True) != json.dumps(rep2, sort_keys=True):
        print("FAIL %s: -j1 and -j2 reports differ" % label)
        diffs.append(("-j1 vs -j2", 0, 1))
    for tool, ext in (("gzip", "gz"), ("zstd", "zst")):
        cfiles = []
        for f in files:
            dst = "%s/%s.%s.%s" % (workdir, label.replace("/", "_"), os.path.basename(f), ext)
            with open(f, "rb") as src, open(dst, "wb") as out:
                subprocess.run([tool, "-c", "-q"], stdin=src, stdout=out, check=True)
            shutil.copystat(f, dst)
            cfiles.append(dst)
        repc, _ = mxtally(cfiles, 2)
        if counts(repc) != counts(rep1) or repc["totals"] != rep1["totals"]:
            print("FAIL %s: %s copies give other counts than the plain files" % (label, tool))
            diffs.append(("%s copy" % tool, 0, 1))
    return rep1, diffs, want, got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", help="keep the work directory here")
    ap.add_argument("--only", help="comma-separated systems")
    ap.add_argument("--copy-to", help="copy logs and truth to DIR/<daemon>-<layout>/")
    ap.add_argument("--status", help="write a markdown status table here")
    a = ap.parse_args()
    t0 = time.time()
    mods = systems()
    want = a.only.split(",") if a.only else list(mods)
    workdir = a.keep or tempfile.mkdtemp(prefix="mxt-realservers-")
    os.makedirs(workdir, exist_ok=True)
    os.chmod(workdir, 0o755)
    jobs = []
    slot = 0
    failed = 0
    skipped = 0
    ci = os.environ.get("CI") == "true"
    for name in want:
        mod = mods[name]
        gone = mod.missing()
        if gone:
            if ci:
                print("FAIL %s: not installed (CI=true): %s" % (name, ", ".join(gone)))
                failed += 1
            else:
                print("skipped: %s (not installed: %s)" % (name, ", ".join(gone)))
                skipped += 1
            continue
        for layout in mod.LAYOUTS:
            jobs.append((mod, layout, slot))
            slot += 1
    results = {}
    rules, known = watch_rules(workdir)
    with concurrent.futures.ThreadPoolExecutor(max(1, len(jobs))) as ex:
        futs = {ex.submit(one_run, m, l, s, workdir, rules): (m.System.name, l)
                for m, l, s in jobs}
        for f in concurrent.futures.as_completed(futs):
            key = futs[f]
            try:
                results[key] = f.result()
            except Exception:
                print("FAIL %s/%s: the run broke:" % key)
                traceback.print_exc(file=sys.stdout)
                failed += 1
    status = []
    try:
        failed += check_all(results, status, workdir, known, a.copy_to)
    finally:
        for sets, truth, root, watches in results.values():
            for w in watches.values():
                w.stop()
    if a.status:
        write_status(a.status, status, results)
    print("realservers: %d daemon x layout checks in %.0fs"
          % (len(status), time.time() - t0))
    # the closing line: passed and failed daemon x layout checks (a broken
    # run or, under CI=true, a missing daemon is one failure), skipped
    # systems
    print("realservers: %d passed, %d failed, %d skipped"
          % (len(status) - sum(1 for _, d in status if d), failed, skipped))
    if not a.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


# Seconds a followed log must be quiet before watch's counts are final:
# watch holds a line that may still join a later one (Dovecot LMTP and
# the MTA, a login and its auth verdict) for JOIN_WINDOW (30) seconds of
# its clock, which runs on from the last line read as time passes
# (agg/join_stream.c, watch_now), then counts it on its own.
WATCH_QUIET = 33


def check_all(results, status, workdir, known, copy_to):
    """Checks every layout of every run (check_layout), then, once the
    logs have been quiet for WATCH_QUIET seconds (the report checks run
    meanwhile), each watch against the truth and alert; the failures."""
    later = []
    for (name, layout), (sets, truth, root, watches) in sorted(results.items()):
        for lname, files in sorted(sets.items()):
            label = "%s/%s" % (name, lname)
            common.dump(os.path.join(root, "truth.json"), truth.as_json())
            rep, diffs, want, got = check_layout(label, files, truth, workdir)
            status.append((label, diffs))
            later.append((label, files, watches[lname], truth, want, got, diffs))
            if copy_to:
                dst = os.path.join(copy_to, "%s-%s" % (name, lname))
                shutil.rmtree(dst, ignore_errors=True)
                os.makedirs(dst)
                for f in files:
                    shutil.copy(f, dst)
                common.dump(os.path.join(dst, "truth.json"), truth.as_json())
                common.dump(os.path.join(dst, "mxtally.json"), counts(rep))
    quiet = max([os.path.getmtime(f) for x in later for f in x[1]
                 if os.path.exists(f)] or [0]) + WATCH_QUIET
    if later and time.time() < quiet:
        time.sleep(quiet - time.time())
    failed = 0
    for label, files, watch, truth, want, got, diffs in later:
        diffs += check_watch(label, watch, truth, want, got, known)
        if diffs:
            failed += 1
        else:
            print("ok %s: %s%s" % (label, ", ".join(
                "%s %d" % kv for kv in sorted(truth.causes.items())),
                "; IMAP lock pairs %d" % sum(truth.lock_pairs.values())
                if truth.lock_pairs else ""))
    return failed


def write_status(path, status, results):
    with open(path, "w") as f:
        f.write("# realservers status\n\nWritten by tests/realservers at %s UTC "
                "(mxtally %s).\n\n" % (time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
                                       subprocess.run([MXTALLY, "--version"],
                                                      stdout=subprocess.PIPE,
                                                      text=True).stdout.strip()))
        f.write("Each row is one count that differs between what the clients were "
                "told (the truth) and mxtally's report on the daemon's log. With "
                "REALSERVERS_COPY set, each layout's logs, truth.json (every reply, "
                "the expected counts) and mxtally.json (mxtally's counts) are in "
                "<copy dir>/<system>-<layout>/.\n\n")
        f.write("| daemon/layout | what differs | expected | mxtally |\n|---|---|---|---|\n")
        for label, diffs in status:
            if not diffs:
                f.write("| %s | nothing: all counts equal | | |\n" % label)
            for w, e, g in diffs:
                f.write("| %s | %s | %d | %d |\n" % (label, w, e, g))


if __name__ == "__main__":
    sys.exit(main())
