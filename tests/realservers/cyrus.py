"""Cyrus IMAP 3.6 (cyrus-imapd, cyrus-pop3d, cyrus-common; unpacked
apart, since they conflict with Dovecot's pop3d and imapd): IMAP and
POP3 under Cyrus' master, SASL PLAIN against a sasldb.

Cyrus compiles its paths in (/etc/imapd.conf, /etc/cyrus.conf,
/usr/lib/cyrus, /run/cyrus): in this run's mount namespace /usr and
/etc are overlays of the unpacked packages and the run's configuration
on the system's own, and /run is the run's. Cyrus logs through syslog
only.
"""

import imaplib
import os
import poplib

import common
from common import IMAPFrom, POP3From, chown_tree, run, src_ip, wait_port, write

LAYOUTS = ["syslog"]
PKGROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                        "..", "..", "build", "realservers", "pkgs",
                                        "cyrus"))
BIN = "/usr/lib/cyrus/bin"
USERS = ["alice", "bob", "carol", "dave"]
ADMINPW = "admin-pw"


def missing():
    out = common.unpacked(PKGROOT + BIN + "/master") + common.no_users("cyrus")
    if not os.path.exists("/usr/sbin/saslpasswd2"):
        out.append("/usr/sbin/saslpasswd2 (sasl2-bin)")
    return out


class System(common.System):
    name = "cyrus"
    ports = {"imap": 20, "pop3": 21, "lmtp": 22}
    groups = ("imap", "pop3")

    @staticmethod
    def binds(root):
        os.makedirs(root + "/ns/run/cyrus", exist_ok=True)
        return [(root + "/ns/run", "/run")]

    @staticmethod
    def overlays(root):
        # the port numbers are fixed by the slot; the configuration is
        # written before the namespace exists, so it is made here
        etc = root + "/cyrus-etc"
        os.makedirs(etc, exist_ok=True)
        return [("/usr", [PKGROOT + "/usr"]), ("/etc", [etc, PKGROOT + "/etc"])]

    def configure(self):
        t = self.t
        c = t + "/cyrus"
        for d in ("conf", "spool"):
            os.makedirs("%s/%s" % (c, d), exist_ok=True)
        etc = self.sb.nspath("/etc")
        write(etc + "/imapd.conf", IMAPD_CONF % {"c": c})
        write(etc + "/cyrus.conf", CYRUS_CONF % self.p)
        run(self.sb.ns(["sh", BIN + "/makedirs"]), check=False)
        for d in ("conf/db", "conf/proc", "conf/socket", "conf/log", "conf/msg",
                  "conf/user", "conf/quota", "conf/sieve", "spool"):
            os.makedirs("%s/%s" % (c, d), exist_ok=True)
        for u, pw in [("cyrus", ADMINPW)] + [(u, "pw-" + u) for u in USERS]:
            run(self.sb.ns(["sh", "-c", "echo '%s' | saslpasswd2 -p -c -f %s/sasldb2 -u "
                            "mx.example.test %s" % (pw, c, u)]))
        chown_tree(c, "cyrus", "mail")
        for d in ("proc", "lock", "socket"):
            os.makedirs("%s/ns/run/cyrus/%s" % (t, d), exist_ok=True)
        chown_tree(t + "/ns/run/cyrus", "cyrus", "mail")
        os.chmod(c + "/sasldb2", 0o640)

    def start(self):
        self.sb.start("cyrus", [BIN + "/master", "-p", "/run/cyrus/master.pid"])
        for k in ("imap", "pop3"):
            wait_port(self.p[k])
        a = imaplib.IMAP4("127.0.0.1", self.p["imap"], timeout=15)
        a.login("cyrus", ADMINPW)
        for u in USERS:
            typ, dat = a.create("user.%s" % u)
            if typ != "OK":
                raise RuntimeError("cannot create user.%s: %r" % (u, dat))
        a.logout()

    def scenarios(self, truth):
        # start() logged in as the admin to create the mailboxes: a
        # successful IMAP login that Cyrus logs like any other
        truth.login("imap", True)
        super().scenarios(truth)

    def imap(self, truth):
        c = IMAPFrom("127.0.0.1", self.p["imap"], src_ip())
        c.login("alice", "pw-alice")
        truth.login("imap", True)
        c.logout()
        # causes.md: a login naming no user ("SASL(-13): user not
        # found") is an auth_failure, detail unknown_user
        for u, pw, detail in (("bob", "wrong", None),
                              ("bob", "wrong", None),
                              ("ghost", "x", "unknown_user")):
            c = IMAPFrom("127.0.0.1", self.p["imap"], src_ip())
            try:
                c.login(u, pw)
                raise RuntimeError("bad IMAP login accepted")
            except imaplib.IMAP4.error as e:
                truth.told("imap_bad_login", u, str(e), "auth_failure",
                           detail=detail)
                truth.login("imap", False)
            c.logout()

    def pop(self):
        return POP3From("127.0.0.1", self.p["pop3"], src_ip())

    def pop3(self, truth):
        c = self.pop()
        c.user("carol")
        try:
            c.pass_("wrong")
            raise RuntimeError("bad POP3 login accepted")
        except poplib.error_proto as e:
            truth.told("pop3_bad_login", "carol", e.args[0].decode(), "auth_failure")
            truth.login("pop3", False)
        c.quit()
        a = self.pop()
        a.user("dave")
        a.pass_("pw-dave")
        truth.login("pop3", True)
        b = self.pop()
        b.user("dave")
        try:
            b.pass_("pw-dave")
            truth.login("pop3", True)
            b.quit()
        except poplib.error_proto as e:
            truth.told("pop3_lock", "dave", e.args[0].decode(), "lock_contention")
            truth.login("pop3", True)
            b.close()
        try:
            a.retr(99)
        except poplib.error_proto as e:
            truth.told("pop3_no_such_message", "dave", e.args[0].decode(),
                       "no_such_message", logged=False)
        a.quit()

    # No quota scenario: lmtpd over TCP lets only admins authenticate
    # ("only admins may authenticate"), and an admin's deliveries, like
    # lmtpd -a's preauthorised ones, ignore quota.


MSG = "From: s@example.net\r\nTo: u@example.test\r\nSubject: %s\r\n\r\n%s\r\n"

IMAPD_CONF = """\
configdirectory: %(c)s/conf
partition-default: %(c)s/spool
defaultpartition: default
proc_path: /run/cyrus/proc
mboxname_lockpath: /run/cyrus/lock
admins: cyrus
allowplaintext: yes
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: %(c)s/sasldb2
sasl_mech_list: PLAIN LOGIN
servername: mx.example.test
unixhierarchysep: no
altnamespace: no
lmtp_downcase_rcpt: yes
popminpoll: 0
hashimapspool: false
syslog_prefix: cyrus
lmtpsocket: /run/cyrus/socket/lmtp
idlesocket: /run/cyrus/socket/idle
notifysocket: /run/cyrus/socket/notify
"""

CYRUS_CONF = """\
START {
  recover cmd="ctl_cyrusdb -r"
}
SERVICES {
  imap cmd="imapd -U 30" listen="127.0.0.1:%(imap)d" prefork=0 maxchild=50
  pop3 cmd="pop3d -U 30" listen="127.0.0.1:%(pop3)d" prefork=0 maxchild=50
}
EVENTS {
}
DAEMON {
}
"""
