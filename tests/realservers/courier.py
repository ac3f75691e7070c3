"""Courier IMAP 5.0 and Courier POP3 1.0 with courier-authdaemon 0.71
(authuserdb), unpacked beside Dovecot (they conflict as packages).

Courier compiles its paths in (/usr/lib/courier, /etc/courier,
/run/courier): in this run's mount namespace /usr and /etc are overlays
of the unpacked packages (and of this run's configuration) on the
system's own, and /run is a directory of the run. Courier logs through
syslog only.
"""

import crypt
import imaplib
import os
import poplib
import time

import common
from common import IMAPFrom, POP3From, chown_tree, run, wait_port, write

LAYOUTS = ["syslog"]
PKGROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                        "..", "..", "build", "realservers", "pkgs",
                                        "courier"))
DOMAIN = "example.test"
USERS = ["alice", "bob", "carol", "dave", "erin", "grace"]
IMAPLOGIN = "/usr/lib/courier/courier/imaplogin"
POP3LOGIN = "/usr/lib/courier/courier/courierpop3login"


def missing():
    return common.unpacked(PKGROOT + IMAPLOGIN, PKGROOT + POP3LOGIN,
                           PKGROOT + "/usr/lib/courier/courier-authlib/authdaemond")


def addr(u):
    return "%s@%s" % (u, DOMAIN)


class System(common.System):
    name = "courier"
    ports = {"pop3": 10, "imap": 11}
    groups = ("pop3", "imap", "pop3_lock")

    @staticmethod
    def binds(root):
        os.makedirs(root + "/ns/run/courier/authdaemon", exist_ok=True)
        return [(root + "/ns/run", "/run")]

    @staticmethod
    def overlays(root):
        etc = root + "/courier-etc"
        os.makedirs(etc + "/courier", exist_ok=True)
        write(etc + "/courier/authdaemonrc", AUTHDAEMONRC)
        return [("/usr", [PKGROOT + "/usr"]), ("/etc", [etc, PKGROOT + "/etc"])]

    def configure(self):
        t = self.t
        lines = []
        for u in USERS:
            home = "%s/mail/%s" % (t, u)
            for d in ("cur", "new", "tmp"):
                os.makedirs(home + "/Maildir/" + d, exist_ok=True)
            lines.append("%s\tuid=8|gid=8|home=%s|mail=%s/Maildir|systempw=%s\n" % (
                addr(u), home, home, crypt.crypt("pw-" + u, crypt.mksalt(crypt.METHOD_SHA512))))
        chown_tree(t + "/mail", "mail")
        for k in range(2):
            write("%s/mail/grace/Maildir/new/%d.m%d.mx" % (t, 1700000000 + k, k),
                  "From: s@example.net\nSubject: m%d\n\nbody\n" % k)
        chown_tree(t + "/mail/grace", "mail")
        ud = self.sb.nspath("/etc/courier/userdb")
        with open(ud, "w") as f:
            f.write("".join(lines))
        os.chmod(ud, 0o600)
        run(self.sb.ns(["/usr/sbin/makeuserdb"]))

    def start(self):
        self.sb.start("authdaemond", ["/usr/lib/courier/courier-authlib/authdaemond"])
        end = time.time() + 10
        while not os.path.exists(self.sb.nspath("/run/courier/authdaemon/socket")):
            if time.time() > end:
                raise RuntimeError("authdaemond made no socket")
            time.sleep(0.05)
        for svc, cfg, login, daemon in (
                ("imap", "/etc/courier/imapd", IMAPLOGIN, "/usr/bin/imapd"),
                ("pop3", "/etc/courier/pop3d", POP3LOGIN,
                 "/usr/lib/courier/courier/courierpop3d")):
            # as Debian's init scripts do: couriertcpd's stderr through
            # courierlogger to syslog
            sh = ("set -a; . %s; set +a; exec /usr/sbin/courierlogger $LOGGEROPTS "
                  "/usr/sbin/couriertcpd -address=127.0.0.1 -maxprocs=40 -maxperip=40 "
                  "-nodnslookup -noidentlookup %d %s %s Maildir"
                  % (cfg, self.p[svc], login, daemon))
            self.sb.start("courier-" + svc, ["sh", "-c", sh])
            wait_port(self.p[svc])


    def pop(self):
        from common import src_ip
        return POP3From("127.0.0.1", self.p["pop3"], src_ip())

    def pop3(self, truth):
        for u in USERS[:2]:
            c = self.pop()
            c.user(addr(u))
            c.pass_("pw-" + u)
            c.quit()
            truth.login("pop3", True)
        for u, pw, cause in ((addr("carol"), "wrong", "auth_failure"),
                             (addr("dave"), "wrong", "auth_failure"),
                             # Courier logs an unknown login exactly as a
                             # bad password: the spec's auth_failure
                             ("ghost@" + DOMAIN, "x", "auth_failure")):
            c = self.pop()
            c.user(u)
            try:
                c.pass_(pw)
                raise RuntimeError("bad POP3 login accepted")
            except poplib.error_proto as e:
                truth.told("pop3_bad_login", u, e.args[0].decode(), cause)
                truth.login("pop3", False)
            c.quit()

    def imap(self, truth):
        from common import src_ip
        c = IMAPFrom("127.0.0.1", self.p["imap"], src_ip())
        c.login(addr("alice"), "pw-alice")
        truth.login("imap", True)
        c.logout()
        for u, pw, cause in ((addr("erin"), "wrong", "auth_failure"),
                             (addr("erin"), "wrong", "auth_failure")):
            c = IMAPFrom("127.0.0.1", self.p["imap"], src_ip())
            try:
                c.login(u, pw)
                raise RuntimeError("bad IMAP login accepted")
            except imaplib.IMAP4.error as e:
                truth.told("imap_bad_login", u, str(e), cause)
                truth.login("imap", False)
            c.logout()

    def pop3_lock(self, truth):
        u = addr("grace")
        a = self.pop()
        a.user(u)
        a.pass_("pw-grace")
        truth.login("pop3", True)
        a.stat()
        b = self.pop()
        b.user(u)
        try:
            b.pass_("pw-grace")
            b.stat()
            truth.login("pop3", True)
            b.quit()
        except poplib.error_proto as e:
            truth.told("pop3_lock", u, e.args[0].decode(), "lock_contention")
            truth.login("pop3", True)
            b.close()
        for cmd, arg in (("retr", 9),):
            try:
                getattr(a, cmd)(arg)
            except poplib.error_proto as e:
                truth.told("pop3_no_such_message", u, e.args[0].decode(),
                           "no_such_message", logged=False)
        a.quit()


AUTHDAEMONRC = """\
authmodulelist="authuserdb"
daemons=2
authdaemonvar=/run/courier/authdaemon
DEBUG_LOGIN=0
DEFAULTOPTIONS=""
LOGGEROPTS=""
"""
