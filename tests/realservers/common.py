"""Shared pieces of the real-server tests: the per-run sandbox (a temporary
directory and a private mount namespace whose /dev/log is our syslog
socket), process start and stop by pid, port numbers, and the ground
truth that the scenarios record from what each client was told.
"""

import collections
import contextlib
import imaplib
import itertools
import json
import os
import poplib
import re
import shutil
import smtplib
import socket
import subprocess
import threading
import time

# REALSERVERS_PORT_BASE moves the range, for two runs on one machine
PORT_BASE = int(os.environ.get("REALSERVERS_PORT_BASE", "21000"))
PORT_SLOT = 40           # ports per run; runs get slots 0..24


class Truth:
    """What the clients were told, and what the logs must therefore show.

    Every reply a client got is kept in `replies` (scenario, user, reply,
    cause, logged).  `logged` says whether the daemon writes that failure
    to its log at all (POP3 `-ERR` replies to RETR, for instance, are
    never logged by Dovecot); only logged ones enter the expected counts.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.replies = []
        self.causes = collections.Counter()
        self.users = collections.defaultdict(collections.Counter)
        self.traffic = collections.Counter()
        self.logins = collections.defaultdict(collections.Counter)
        self.details = collections.Counter()    # "cause/detail" -> n
        # (protocol, user, refused client, holder's client) -> refusals
        self.lock_pairs = collections.Counter()

    def told(self, scenario, user, reply, cause=None, logged=True, n=1,
             detail=None):
        """Record one failure reply a client got.  `user` is the user the
        logs name for it (None when no line names one); `detail` the
        detail key the log lets mxtally give (a login naming no user:
        "unknown_user", causes.md)."""
        with self.lock:
            self.replies.append({"scenario": scenario, "user": user,
                                 "reply": reply, "cause": cause,
                                 "detail": detail,
                                 "logged": logged, "count": n})
            if cause and logged:
                self.causes[cause] += n
                if user:
                    self.users[user.lower()][cause] += n
                if detail:
                    self.details["%s/%s" % (cause, detail)] += n

    def ok(self, scenario, user, reply):
        with self.lock:
            self.replies.append({"scenario": scenario, "user": user,
                                 "reply": reply, "cause": None,
                                 "logged": True, "count": 1})

    def lock_pair(self, proto, user, client, holder):
        """A session refused its mailbox lock, held by a session whose
        client is known (the report must pair them)."""
        with self.lock:
            self.lock_pairs[(proto, user.lower(), client, holder)] += 1

    def count(self, key, n=1):
        with self.lock:
            self.traffic[key] += n

    def login(self, proto, good, n=1):
        with self.lock:
            self.logins[proto]["ok" if good else "failed"] += n

    def as_json(self):
        return {
            "causes": dict(sorted(self.causes.items())),
            "users": {u: dict(sorted(c.items())) for u, c in sorted(self.users.items())},
            "traffic": dict(sorted(self.traffic.items())),
            "logins": {p: dict(c) for p, c in sorted(self.logins.items())},
            "details": dict(sorted(self.details.items())),
            "lock_pairs": sorted([list(k) + [n] for k, n in self.lock_pairs.items()]),
            "replies": self.replies,
        }


def run(cmd, check=True, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, **kw)
    if check and r.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), r.returncode,
                                                r.stdout.strip()[-2000:]))
    return r.stdout


def wait_port(port, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nothing listens on 127.0.0.1:%d after %ds" % (port, timeout))


def free_port():
    """A loopback port nothing listens on now (the kernel's pick)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


METRIC = re.compile(r'^([a-z_]+)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-z_]+)="((?:[^"\\]|\\.)*)"')


class Watch:
    """`mxtally watch` following one layout's log files while the daemons
    write them (from their first byte: --from-start, the files are empty
    or absent when it starts), serving /metrics on a loopback port the
    kernel picked.  settle() waits until it has read every byte of the
    finished files and holds no line for a join; scrape() reads /metrics
    into {name: [(labels, value)]}."""

    def __init__(self, mxtally, files, rules, errpath):
        self.files = files
        self.port = free_port()
        self.err = open(errpath, "ab")
        self.proc = subprocess.Popen(
            [mxtally, "watch", "-q", "--from-start", "--rules", rules,
             "--listen", "127.0.0.1:%d" % self.port] + files,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=self.err)
        try:
            wait_port(self.port, 10)
        except RuntimeError:
            self.stop()
            raise

    def scrape(self):
        import urllib.request
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.port,
                                    timeout=5) as r:
            text = r.read().decode()
        out = collections.defaultdict(list)
        for line in text.splitlines():
            m = METRIC.match(line)
            if m:
                out[m.group(1)].append((dict(LABEL.findall(m.group(2) or "")),
                                        float(m.group(3))))
        return out

    def settle(self, timeout=10):
        """The metrics once every byte of the files is read (lines a join
        still holds, mxtally_join_held_lines, are the caller's to judge);
        RuntimeError naming what is missing after timeout s."""
        want = {f: os.path.getsize(f) for f in self.files if os.path.exists(f)}
        end = time.time() + timeout
        while True:
            m = self.scrape()
            read = {l["file"]: v for l, v in m["mxtally_file_read_bytes_total"]}
            if all(read.get(f) == n for f, n in want.items()):
                return m
            if time.time() > end:
                raise RuntimeError("watch read %s of %s bytes" % (read, want))
            time.sleep(0.1)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.err.close()
        return self.proc.returncode


def wait_file(path, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return
        time.sleep(0.05)
    raise RuntimeError("%s did not appear after %ds" % (path, timeout))


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


def descendants(pid):
    """The pids below pid (read from /proc before it is stopped)."""
    out = []
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            kids = [int(x) for x in f.read().split()]
    except OSError:
        return out
    for k in kids:
        out.append(k)
        out += descendants(k)
    return out


def stop_pid(pid, timeout=10):
    """SIGTERM one pid we started, wait for it, SIGKILL if it lingers."""
    if not pid or not pid_alive(pid):
        return
    os.kill(pid, 15)
    end = time.time() + timeout
    while time.time() < end:
        if not pid_alive(pid):
            return
        time.sleep(0.05)
    os.kill(pid, 9)


class Sandbox:
    """A temporary directory and a mount namespace for one run.

    A holder process (`unshare -m` then sleep) owns the namespace; in it
    /dev is a small tmpfs holding bind mounts of the few device nodes the
    daemons use and a /dev/log symlink to this run's syslog socket, and
    the tmpfs mounts a scenario asks for (a full mail store, a small mail
    queue) are mounted.  Daemons are started inside with nsenter.  Nothing
    outside the temporary directory changes; when the holder and the
    daemons exit the namespace and its mounts are gone.
    """

    def __init__(self, root, slot, tmpfs=(), binds=(), overlays=()):
        self.root = root
        self.slot = slot
        self.port0 = PORT_BASE + PORT_SLOT * slot
        self.pids = []          # (name, pid) stopped in reverse order
        os.makedirs(root, exist_ok=True)
        os.chmod(root, 0o755)
        self.log = os.path.join(root, "log")
        os.makedirs(self.log, exist_ok=True)
        os.chmod(self.log, 0o777)
        self.devlog = os.path.join(root, "devlog")
        lines = ["set -e",
                 "mkdir -p %s/hostdev" % root,
                 "mount --bind /dev %s/hostdev" % root,
                 "mount -t tmpfs -o size=64k,mode=755 mxt-dev /dev"]
        for n in ("null", "zero", "full", "random", "urandom", "tty"):
            lines.append("touch /dev/%s && mount --bind %s/hostdev/%s /dev/%s"
                         % (n, root, n, n))
        lines += ["mkdir /dev/shm /dev/pts && mount -t tmpfs mxt-shm /dev/shm",
                  "chmod 1777 /dev/shm",
                  "ln -s /proc/self/fd /dev/fd",
                  "ln -s /proc/self/fd/0 /dev/stdin",
                  "ln -s /proc/self/fd/1 /dev/stdout",
                  "ln -s /proc/self/fd/2 /dev/stderr",
                  "ln -s %s /dev/log" % self.devlog,
                  "umount -l %s/hostdev" % root]
        for path, size in tmpfs:
            lines.append("mkdir -p %s && mount -t tmpfs -o size=%s,mode=755 mxt-small %s"
                         % (path, size, path))
        for src, dst in binds:
            lines.append("mount --bind %s %s" % (src, dst))
        for dst, lowers in overlays:
            # a package unpacked beside the system, seen at its own paths
            # in this namespace only; writes go to the run's directory
            up = "%s/ns/ov%s" % (root, dst.replace("/", "-"))
            lines.append("mkdir -p %s/up %s/work" % (up, up))
            lines.append("mount -t overlay mxt-ov -o lowerdir=%s:%s,upperdir=%s/up,"
                         "workdir=%s/work %s" % (":".join(lowers), dst, up, up, dst))
        lines.append("touch %s/ns-ready" % root)
        lines.append("exec sleep 100000")
        self.holder = subprocess.Popen(
            ["unshare", "-m", "--propagation", "private", "sh", "-c",
             "\n".join(lines)], stdin=subprocess.DEVNULL)
        end = time.time() + 10
        while not os.path.exists(os.path.join(root, "ns-ready")):
            if self.holder.poll() is not None or time.time() > end:
                raise RuntimeError("cannot make a mount namespace (unshare -m): "
                                   "is this run as root?")
            time.sleep(0.02)

    def port(self, off):
        assert off < PORT_SLOT
        return self.port0 + off

    def ns(self, cmd):
        """A command line that runs cmd inside this run's namespace."""
        return ["nsenter", "-t", str(self.holder.pid), "-m", "--"] + cmd

    def nspath(self, path):
        """path as seen inside the namespace (for reading tmpfs content)."""
        return "/proc/%d/root%s" % (self.holder.pid, path)

    def start(self, name, cmd, env=None):
        """Run a daemon that stays in the foreground; remember its pid."""
        out = open(os.path.join(self.log, name + ".stderr"), "ab")
        # a session of its own: a daemon that signals its process group
        # (courierlogger does) must not reach this driver
        p = subprocess.Popen(self.ns(cmd), stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.pids.append((name, p.pid))
        self.procs = getattr(self, "procs", []) + [p]
        return p

    def adopt(self, name, pid):
        """A daemon that forked itself away: we stop it by its pid file."""
        self.pids.append((name, pid))

    def stop(self):
        for name, pid in reversed(self.pids):
            # the daemon and what it (or a wrapper) started, all at once
            group = [pid] + descendants(pid)
            for p in group:
                try:
                    os.kill(p, 15)
                except ProcessLookupError:
                    pass
            for p in group:
                stop_pid(p, 5)
        for p in getattr(self, "procs", []):
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                pass
        stop_pid(self.holder.pid)
        self.holder.wait()


def write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def dump(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")


def chown_tree(path, user, group=None):
    group = group or user
    shutil.chown(path, user, group)
    for d, dirs, files in os.walk(path):
        for x in dirs + files:
            shutil.chown(os.path.join(d, x), user, group)


_ipn = itertools.count(1)
_iplock = threading.Lock()


def src_ip():
    """A fresh loopback source address per session, so that Dovecot's auth
    penalty (a growing delay per client IP after a failure) never slows
    the run down."""
    with _iplock:
        n = next(_ipn)
    return "127.0.%d.%d" % (1 + n // 250, 1 + n % 250)


class POP3From(poplib.POP3):
    def __init__(self, host, port, src):
        self.src = src
        poplib.POP3.__init__(self, host, port, timeout=15)

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout,
                                        source_address=(self.src, 0))


class IMAPFrom(imaplib.IMAP4):
    def __init__(self, host, port, src):
        self.src = src
        imaplib.IMAP4.__init__(self, host, port, timeout=15)

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout,
                                        source_address=(self.src, 0))


def smtp_from(port, timeout=20):
    """An SMTP client on 127.0.0.1:port from a fresh source address."""
    return smtplib.SMTP("127.0.0.1", port, timeout=timeout,
                        source_address=(src_ip(), 0))


def run_groups(truth, groups):
    """Run each scenario group (a function of truth) in a thread of its
    own; one error names every group that failed."""
    errs = []

    def wrap(fn):
        try:
            fn(truth)
        except Exception as e:          # report, fail the run
            errs.append("%s: %r" % (fn.__name__, e))
    th = [threading.Thread(target=wrap, args=(g,)) for g in groups]
    for x in th:
        x.start()
    for x in th:
        x.join()
    if errs:
        raise RuntimeError("; ".join(errs))


def refused(truth, scen, reply, cause, user, count="rejected"):
    """An SMTP (code, text) reply that must be a refusal: kept as told,
    and counted as `count` traffic (None: not at all)."""
    code, text = reply
    if code < 400:
        raise RuntimeError("%s: accepted: %d %s" % (scen, code, text))
    truth.told(scen, user, "%d %s" % (code, text.decode()), cause)
    if count:
        truth.count(count)


def relay_and_unknown(truth, smtp, sender, domain, n=2):
    """n sessions, each refused a relay and an unknown recipient at RCPT."""
    for k in range(n):
        c = smtp()
        c.ehlo()
        c.mail(sender)
        rc = "someone%d@elsewhere.example" % k
        refused(truth, "relay_denied", c.rcpt(rc), "policy_rejection", rc)
        rc = "nobody%d@%s" % (k, domain)
        refused(truth, "unknown_recipient", c.rcpt(rc), "unknown_mailbox", rc)
        c.quit()


def oversize_mail(truth, smtp, sender, limit):
    """MAIL FROM with SIZE= 1.5 x the limit: refused, naming the sender."""
    c = smtp()
    c.ehlo()
    refused(truth, "oversize_mail", c.mail(sender, ["SIZE=%d" % (limit * 3 // 2)]),
            "message_too_large", sender)
    c.quit()


def oversize_data(truth, smtp, sender, rcpt, body, user, count="rejected"):
    """A message without SIZE= whose body is over the limit: refused at
    DATA; `user` is who the log names for it (None: no one)."""
    c = smtp()
    c.ehlo()
    c.mail(sender)
    c.rcpt(rcpt)
    refused(truth, "oversize_data", c.data(body), "message_too_large", user, count)
    try:
        c.quit()
    except smtplib.SMTPException:
        pass


def auth_failures(truth, smtp, logins):
    """SMTP AUTH PLAIN (one mechanism: login() would try PLAIN, then
    LOGIN) refused for each (user, password)."""
    for u, pw in logins:
        c = smtp()
        c.ehlo()
        c.user, c.password = u, pw
        try:
            c.auth("PLAIN", c.auth_plain)
            raise RuntimeError("bad SMTP AUTH accepted")
        except smtplib.SMTPAuthenticationError as e:
            refused(truth, "smtp_auth_failure", (e.smtp_code, e.smtp_error),
                    "auth_failure", u, None)
            truth.login("smtp_auth", False)
        c.quit()


def fill(path):
    """Fill the small file system at path: a file of zeros up to ENOSPC."""
    fd = os.open(path + "/filler", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    os.close(fd)


@contextlib.contextmanager
def space_left(path, keep):
    """While inside: the file system at path has only `keep` bytes free."""
    st = os.statvfs(path)
    fd = os.open(path + "/filler", os.O_WRONLY | os.O_CREAT, 0o600)
    os.posix_fallocate(fd, 0, st.f_bavail * st.f_frsize - keep)
    os.close(fd)
    try:
        yield
    finally:
        os.unlink(path + "/filler")


def mail_refused_for_space(truth, smtp, n=2):
    """n MAIL FROMs refused for want of storage; the MTAs log it naming
    no one (Postfix "not enough free space in mail queue", Exim "spool
    directory space check failed")."""
    for k in range(n):
        c = smtp()
        c.ehlo()
        code, text = c.mail("roomy%d@example.org" % k)
        if code < 400:
            raise RuntimeError("storage full but MAIL FROM accepted")
        refused(truth, "insufficient_storage", (code, text), "system_storage", None)
        c.quit()


def unpacked(*paths):
    """The files of an unpacked package that are not there, each with how
    to get it (tests/realservers/deps.sh)."""
    return ["%s (sh tests/realservers/deps.sh)" % p for p in paths
            if not os.path.exists(p)]


def no_users(*names):
    """The system users of names that do not exist (made by deps.sh)."""
    import pwd
    out = []
    for u in names:
        try:
            pwd.getpwnam(u)
        except KeyError:
            out.append("user %s (sh tests/realservers/deps.sh)" % u)
    return out


class System:
    """What every mail system's driver shares.  A subclass sets `name`,
    `ports` (name -> offset in the run's port slot), `groups` (the names
    of its scenario methods, run concurrently) and writes configure()
    and start(); it may give tmpfs(), binds() and overlays() for its
    namespace and after(truth) for the scenarios that need the daemons
    alone.  `logs` names the log files of a layout that is not syslog."""
    name = None
    ports = {}
    groups = ()

    @staticmethod
    def tmpfs(root):
        return []

    @staticmethod
    def binds(root):
        return []

    @staticmethod
    def overlays(root):
        return []

    def __init__(self, sb, layout):
        self.sb = sb
        self.layout = layout
        self.t = sb.root
        self.p = {k: sb.port(v) for k, v in self.ports.items()}
        self.logs = {}

    def smtp(self):
        return smtp_from(self.p["smtp"])

    def scenarios(self, truth):
        run_groups(truth, [getattr(self, g) for g in self.groups])
        self.after(truth)
        time.sleep(0.5)         # the last lines reach the log

    def after(self, truth):
        pass
