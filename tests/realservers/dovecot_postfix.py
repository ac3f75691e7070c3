"""Dovecot 2.3 (POP3, IMAP, LMTP, quota, passwd-file) and Postfix 3.7
(smtpd with SASL through Dovecot, LMTP delivery to Dovecot,
message_size_limit, relay restrictions, a virtual mailbox table), run as
one mail system in a sandbox, then provoked by Python's clients.

Layouts, one run each:
  syslog   both daemons log through syslog(3) to our listener, which
           writes RFC 3164, RFC 3339 and journalctl short-iso files
  ownlog   Dovecot log_path with the default log_timestamp, Postfix
           maillog_file (postlogd)
  ownlog-iso  the same with Dovecot log_timestamp = "%Y-%m-%d %H:%M:%S "
"""

import imaplib
import os
import poplib
import signal
import smtplib
import threading
import time

import common
from common import (IMAPFrom, POP3From, chown_tree, run, src_ip, wait_file,
                    wait_port, write)

DOMAIN = "example.net"
PW = "secret-%d"
MAIL_USER = "mail"         # uid 8, owns the mail store
QUOTA_KB = 40               # quota of the quota users
MSG_LIMIT = 1000000         # Postfix message_size_limit
QUEUE_SIZE = "4m"           # tmpfs under Postfix's queue
FULL_SIZE = "200k"          # tmpfs under the full user's mail store

USERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace",
         "heidi", "ivan", "judy", "quota1", "quota2", "quota3", "full1",
         "lock1", "lock2", "lock3"]


def addr(u):
    return "%s@%s" % (u, DOMAIN)


LAYOUTS = ["syslog", "ownlog", "ownlog-iso"]
NEEDS = ["/usr/sbin/dovecot", "/usr/lib/dovecot/pop3", "/usr/lib/dovecot/imap",
         "/usr/lib/dovecot/lmtp", "/usr/sbin/postfix", "/usr/lib/postfix/sbin/smtpd"]


def missing():
    """What is not installed, or an empty list."""
    return [p for p in NEEDS if not os.path.exists(p)]


class System(common.System):
    name = "dovecot-postfix"
    ports = {"pop3": 0, "imap": 1, "lmtp": 2, "smtp": 3}
    # independent scenarios, run concurrently
    groups = ("pop3_logins", "pop3_lock", "pop3_messages", "imap_logins",
              "imap_lock", "quota_and_full", "smtp_refusals")

    # -- configuration -------------------------------------------------

    def tmpfs(root):
        return [(root + "/queue", QUEUE_SIZE), (root + "/full", FULL_SIZE)]
    tmpfs = staticmethod(tmpfs)

    def configure(self):
        t = self.t
        for d in ("dovecot", "run", "state", "home", "postfix"):
            os.makedirs(os.path.join(t, d), exist_ok=True)
        pw = []
        for i, u in enumerate(USERS):
            home = "%s/%s/%s" % (t, "full" if u.startswith("full") else "home", u)
            extra = ""
            if u.startswith("quota"):
                extra = "userdb_quota_rule=*:storage=%dK" % QUOTA_KB
            pw.append("%s:{PLAIN}%s:8:8::%s::%s" % (addr(u), PW % i, home, extra))
            os.makedirs(self.sb.nspath(home + "/Maildir/cur") if u.startswith("full")
                        else home + "/Maildir/cur", exist_ok=True)
            for sub in ("new", "tmp"):
                os.makedirs((self.sb.nspath(home) if u.startswith("full") else home)
                            + "/Maildir/" + sub, exist_ok=True)
        write(t + "/dovecot/passwd", "\n".join(pw) + "\n", 0o644)
        chown_tree(t + "/home", MAIL_USER)
        chown_tree(self.sb.nspath(t + "/full"), MAIL_USER)
        # the full mail store: a filler takes what is left of its tmpfs
        common.fill(self.sb.nspath(t + "/full"))
        if self.layout == "syslog":
            logcf = "log_path = syslog\nsyslog_facility = mail\n"
        else:
            self.logs["dovecot"] = t + "/log/dovecot.log"
            logcf = "log_path = %s/log/dovecot.log\n" % t
            if self.layout == "ownlog-iso":
                logcf += 'log_timestamp = "%Y-%m-%d %H:%M:%S "\n'
        write(t + "/dovecot/dovecot.conf", DOVECOT_CONF % {
            "t": t, "log": logcf, "pop3": self.p["pop3"], "imap": self.p["imap"],
            "lmtp": self.p["lmtp"], "inst": "mxt%d" % self.sb.slot})
        # Postfix
        pf = t + "/postfix"
        vmb = "".join("%s %s/\n" % (addr(u), u) for u in USERS)
        write(pf + "/vmailbox", vmb)
        logpf = ""
        if self.layout != "syslog":
            self.logs["postfix"] = t + "/log/postfix.log"
            logpf = "maillog_file = %s/log/postfix.log\nmaillog_file_prefixes = %s\n" % (t, t)
        write(pf + "/main.cf", POSTFIX_MAIN % {
            "t": t, "lmtp": self.p["lmtp"], "limit": MSG_LIMIT, "log": logpf,
            "name": "postfix-mxt%d" % self.sb.slot})
        write(pf + "/master.cf", POSTFIX_MASTER % {"smtp": self.p["smtp"]})

    # -- start and stop ------------------------------------------------

    def start(self):
        t = self.t
        self.sb.start("dovecot", ["dovecot", "-F", "-c", t + "/dovecot/dovecot.conf"])
        for k in ("pop3", "imap", "lmtp"):
            wait_port(self.p[k])
        run(self.sb.ns(["postfix", "-c", t + "/postfix", "start"]))
        pidf = self.sb.nspath(t + "/queue/pid/master.pid")
        wait_file(pidf)
        self.sb.adopt("postfix", int(open(pidf).read().split()[0]))
        wait_port(self.p["smtp"])

    def flush(self):
        """Wait until Postfix's queue is empty but for deferred mail."""
        end = time.time() + 30
        while time.time() < end:
            out = run(self.sb.ns(["postqueue", "-c", self.t + "/postfix", "-j"]),
                      check=False)
            active = [l for l in out.splitlines() if '"queue_name": "deferred"' not in l
                      and l.strip()]
            if not active:
                return
            time.sleep(0.2)
        raise RuntimeError("postfix queue did not drain: %s" % out)

    # -- scenarios -----------------------------------------------------

    def after(self, truth):
        self.flush()
        self.queue_full(truth)

    def queue_full(self, truth):
        """Insufficient system storage, alone: Postfix's smtpd refuses
        every MAIL FROM while its queue file system has less than
        1.5 * message_size_limit free, so a filler takes the space for
        two sessions and is removed again."""
        with common.space_left(self.sb.nspath(self.t + "/queue"), MSG_LIMIT // 2):
            common.mail_refused_for_space(truth, self.smtp)

    def pop(self):
        return POP3From("127.0.0.1", self.p["pop3"], src_ip())

    def pop3_fail(self, truth, scen, user, pw, cause, attempts=1, detail=None):
        c = self.pop()
        for k in range(attempts):
            c.user(user)
            try:
                c.pass_(pw)
                raise RuntimeError("%s: bad login accepted" % scen)
            except poplib.error_proto as e:
                truth.told(scen, user, e.args[0].decode(), cause, detail=detail)
                truth.login("pop3", False)
        c.quit()

    def pop3_logins(self, truth):
        # good logins, bad passwords (one session with two attempts),
        # unknown users
        for i, u in enumerate(USERS[:3]):
            c = self.pop()
            c.user(addr(u))
            c.pass_(PW % i)
            c.quit()
            truth.login("pop3", True)
        for k in range(5):
            self.pop3_fail(truth, "pop3_bad_password", addr(USERS[3 + k % 3]),
                           "wrong", "auth_failure", 2 if k == 4 else 1)
        for k in range(4):
            # causes.md: a login naming no user is an auth_failure,
            # detail unknown_user (auth's "unknown user" verdict)
            self.pop3_fail(truth, "pop3_unknown_user", "ghost%d@%s" % (k % 2, DOMAIN),
                           "whatever", "auth_failure", detail="unknown_user")

    def pop3_lock(self, truth):
        """Three contentions at once, each on its own mailbox: Dovecot
        waits for the lock (about 10 s) before it refuses."""
        th = [threading.Thread(target=self.pop3_lock_one, args=(truth, u))
              for u in ("grace", "lock1", "lock2")]
        for x in th:
            x.start()
        for x in th:
            x.join()

    def pop3_lock_one(self, truth, u):
        pw = PW % USERS.index(u)
        a = self.pop()
        a.user(addr(u))
        a.pass_(pw)
        truth.login("pop3", True)
        b = self.pop()
        b.user(addr(u))
        try:
            b.pass_(pw)
            raise RuntimeError("second POP3 session was not refused")
        except poplib.error_proto as e:
            # the password was right: Dovecot logs "Login:" first
            truth.told("pop3_lock", addr(u), e.args[0].decode(), "lock_contention")
            truth.login("pop3", True)
        b.close()
        a.quit()

    def imap_lock(self, truth):
        """IMAP lock contention: session A (one address) holds its INBOX's
        transaction log lock, as a long operation would (its imap process
        is stopped by SIGSTOP while /proc/locks shows it holding the
        lock, between STOREs it runs in a loop); session B (another
        address) gives up waiting for it after mail_max_lock_timeout
        (1s), is told NO [SERVERBUG], and Dovecot names A's pid, the
        mpid of A's login. The report must pair B's client with A's."""
        u = "lock3"
        pw = PW % USERS.index(u)
        ipa, ipb = src_ip(), src_ip()
        a = IMAPFrom("127.0.0.1", self.p["imap"], ipa)
        a.login(addr(u), pw)
        truth.login("imap", True)
        for k in range(3):
            a.append("INBOX", None, None, (MSG % ("lock%d" % k, "x")).encode())
        a.select("INBOX")
        pid = imap_pid(addr(u), ipa)
        ino = os.stat("%s/home/%s/Maildir/dovecot.index.log" % (self.t, u)).st_ino
        stop = threading.Event()

        def busy():
            k = 0
            while not stop.is_set():
                a.store("1:*", "+FLAGS" if k % 2 == 0 else "-FLAGS", "\\Flagged")
                k += 1
        th = threading.Thread(target=busy)
        th.start()
        b = None
        try:
            for _ in range(20000):
                os.kill(pid, signal.SIGSTOP)
                if holds_lock(pid, ino):
                    break
                os.kill(pid, signal.SIGCONT)
                time.sleep(0.001)
            else:
                raise RuntimeError("imap pid %d never held its lock" % pid)
            b = IMAPFrom("127.0.0.1", self.p["imap"], ipb)
            b.login(addr(u), pw)
            truth.login("imap", True)
            # one failed reply: SELECT's, or else the STORE's
            typ, data = b.select("INBOX")
            if typ == "OK":
                typ, data = b.store("1", "+FLAGS", "\\Seen")
            if typ != "NO":
                raise RuntimeError("IMAP session B was not refused: %s %s" % (typ, data))
            truth.told("imap_lock", addr(u), data[0].decode(), "lock_contention")
            truth.lock_pair("imap", addr(u), ipb, ipa)
        finally:
            os.kill(pid, signal.SIGCONT)
            stop.set()
            th.join()
        b.logout()
        a.logout()

    def pop3_messages(self, truth):
        # two messages for heidi come in through Postfix first
        u, i = USERS[7], 7
        for k in range(2):
            self.smtp_send(truth, "sender@example.org", [addr(u)], "pop%d" % k)
            truth.count("delivered")
        self.flush()
        c = self.pop()
        c.user(addr(u))
        c.pass_(PW % i)
        truth.login("pop3", True)
        c.retr(1)
        c.dele(1)
        for cmd, arg in (("retr", 1), ("retr", 99), ("dele", 42)):
            try:
                getattr(c, cmd)(arg)
                raise RuntimeError("%s %d accepted" % (cmd, arg))
            except poplib.error_proto as e:
                # Dovecot writes no line for these replies
                truth.told("pop3_no_such_message", addr(u), e.args[0].decode(),
                           "no_such_message", logged=False)
        c.quit()

    def imap_logins(self, truth):
        c = IMAPFrom("127.0.0.1", self.p["imap"], src_ip())
        c.login(addr(USERS[0]), PW % 0)
        truth.login("imap", True)
        c.logout()
        for k in range(3):
            u = addr(USERS[8])          # ivan
            c = IMAPFrom("127.0.0.1", self.p["imap"], src_ip())
            try:
                c.login(u, "bad")
                raise RuntimeError("imap bad login accepted")
            except imaplib.IMAP4.error as e:
                truth.told("imap_bad_password", u, str(e), "auth_failure")
                truth.login("imap", False)
            c.logout()


    def smtp_send(self, truth, sender, rcpts, subject, body="x", login=None):
        """One message through Postfix, accepted: received, and later
        delivered (or not) by LMTP as the caller says."""
        c = self.smtp()
        if login:
            c.login(*login)
            truth.login("smtp_auth", True)
        c.sendmail(sender, rcpts, MSG % (subject, body))
        truth.count("received")
        c.quit()

    def lmtp(self):
        return smtplib.LMTP("127.0.0.1", self.p["lmtp"], timeout=20,
                            source_address=(src_ip(), 0))

    def quota_and_full(self, truth):
        half = "y" * (QUOTA_KB * 1024 // 2)
        # ordinary traffic: 4 messages, 6 recipients, one with SMTP AUTH
        self.smtp_send(truth, "sender@example.org", [addr("bob")], "t1")
        self.smtp_send(truth, "sender@example.org", [addr("carol"), addr("dave")], "t2")
        self.smtp_send(truth, "other@example.org", [addr("erin")], "t3")
        self.smtp_send(truth, addr("alice"), [addr("judy"), addr("frank")], "t4",
                       login=(addr("alice"), PW % 0))
        truth.count("delivered", 6)
        # fill quota1 and quota2 to the brim, quota3 half-way (Postfix, LMTP)
        for u, n in (("quota1", 2), ("quota2", 2), ("quota3", 1)):
            for k in range(n):
                self.smtp_send(truth, "sender@example.org", [addr(u)], "fill%d" % k, half)
                truth.count("delivered")
        self.flush()
        lm = self.lmtp()
        # quota at RCPT, straight to LMTP: refused, but Dovecot logs nothing
        try:
            lm.sendmail("s@example.org", [addr("quota1")], MSG % ("over", "z"))
            raise RuntimeError("quota1 over quota but accepted")
        except smtplib.SMTPRecipientsRefused as e:
            code, text = e.recipients[addr("quota1")]
            truth.told("lmtp_quota_rcpt", addr("quota1"), "%d %s" % (code, text.decode()),
                       "quota_exceeded", logged=False)
        # quota at DATA, straight to LMTP: under quota at RCPT, over at DATA
        try:
            lm.sendmail("s@example.org", [addr("quota3")], MSG % ("over", half + half))
            raise RuntimeError("quota3 over quota but accepted")
        except smtplib.SMTPDataError as e:
            truth.told("lmtp_quota_data", addr("quota3"),
                       "%d %s" % (e.smtp_code, e.smtp_error.decode()), "quota_exceeded")
        # the full mail store, straight to LMTP
        try:
            lm.sendmail("s@example.org", [addr("full1")], MSG % ("full", half))
            raise RuntimeError("full1 on a full file system but accepted")
        except (smtplib.SMTPDataError, smtplib.SMTPRecipientsRefused) as e:
            truth.told("lmtp_full_store", addr("full1"), repr(e), "system_storage")
        lm.quit()
        # the same three through Postfix, from the null sender (no bounce
        # message): Postfix's lmtp client gets the reply
        self.smtp_send(truth, "", [addr("quota1")], "over-rcpt")
        truth.told("postfix_quota_rcpt", addr("quota1"), "lmtp: 552 5.2.2", "quota_exceeded")
        truth.count("bounced")
        self.smtp_send(truth, "", [addr("quota2")], "over-data", half)
        truth.told("postfix_quota_data", addr("quota2"), "lmtp: 552 5.2.2", "quota_exceeded")
        truth.count("bounced")
        self.smtp_send(truth, "", [addr("full1")], "full", half)
        truth.told("postfix_full_store", addr("full1"), "lmtp: 4xx", "system_storage")
        truth.count("deferred")

    def smtp_refusals(self, truth):
        smtp = self.smtp
        # relay denied (2), unknown recipient (2), at RCPT
        common.relay_and_unknown(truth, smtp, "sender@example.org", DOMAIN)
        # oversize at MAIL FROM (SIZE= above message_size_limit)
        common.oversize_mail(truth, smtp, "big@example.org", MSG_LIMIT)
        # oversize at DATA: no SIZE= given, the body is too big. smtpd
        # logs only "warning: <queue id>: queue file size limit exceeded"
        # for it, naming no address; cleanup had begun the message (it
        # logged its message-id): as pflogsumm counts, it was received,
        # then refused
        common.oversize_data(truth, smtp, "huge@example.org", addr("bob"),
                             MSG % ("huge", ("h" * 78 + "\r\n") * (MSG_LIMIT // 64)),
                             None, count="received")
        # SMTP AUTH failures (3), one of them for an unknown login
        common.auth_failures(truth, smtp, ((addr("bob"), "wrong"),
                                           (addr("carol"), "wrong"),
                                           ("ghost9@" + DOMAIN, "x")))


def imap_pid(user, ip, timeout=10):
    """The pid of the imap process serving user from ip (its title, with
    verbose_proctitle, is "dovecot-INSTANCE/imap [user ip ...]")."""
    end = time.time() + timeout
    while time.time() < end:
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % d, "rb") as f:
                    cmd = f.read().decode(errors="replace")
            except OSError:
                continue
            if "/imap [%s %s" % (user, ip) in cmd:
                return int(d)
        time.sleep(0.05)
    raise RuntimeError("no imap process for %s from %s" % (user, ip))


def holds_lock(pid, ino):
    """Whether pid holds a write lock on the file with inode ino."""
    with open("/proc/locks") as f:
        for line in f:
            w = line.split()
            if len(w) >= 8 and w[1] != "->" and w[3] == "WRITE" and \
                    w[4] == str(pid) and w[5].endswith(":%d" % ino):
                return True
    return False


MSG = "From: s@example.org\r\nTo: u@example.net\r\nSubject: %s\r\n\r\n%s\r\n"

DOVECOT_CONF = """\
base_dir = %(t)s/run
state_dir = %(t)s/state
listen = 127.0.0.1
protocols = pop3 imap lmtp
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
auth_failure_delay = 0
mail_max_lock_timeout = 1s
first_valid_uid = 8
last_valid_uid = 8
default_login_user = dovenull
default_internal_user = dovecot
mail_location = maildir:~/Maildir
mail_plugins = quota
pop3_lock_session = yes
verbose_proctitle = yes
lmtp_rcpt_check_quota = yes
%(log)s
passdb {
  driver = passwd-file
  args = %(t)s/dovecot/passwd
}
userdb {
  driver = passwd-file
  args = %(t)s/dovecot/passwd
}
plugin {
  quota = maildir:User quota
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = %(pop3)d
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %(imap)d
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = %(lmtp)d
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0600
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
protocol imap {
  mail_plugins = $mail_plugins imap_quota
}
"""

POSTFIX_MAIN = """\
compatibility_level = 3.6
queue_directory = %(t)s/queue
data_directory = %(t)s/pfdata
mail_owner = postfix
setgid_group = postdrop
syslog_name = postfix
myhostname = mx.example.net
mydomain = example.net
mydestination =
mynetworks = 192.0.2.1/32
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
alias_maps =
alias_database =
local_recipient_maps =
smtputf8_enable = no
biff = no
message_size_limit = %(limit)d
virtual_mailbox_domains = example.net
virtual_mailbox_maps = texthash:%(t)s/postfix/vmailbox
virtual_transport = lmtp:inet:127.0.0.1:%(lmtp)d
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = %(t)s/run/auth-postfix
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions =
smtpd_delay_reject = yes
notify_classes =
maximal_backoff_time = 3600s
minimal_backoff_time = 3600s
queue_run_delay = 3600s
%(log)s
"""

POSTFIX_MASTER = """\
127.0.0.1:%(smtp)d inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""
