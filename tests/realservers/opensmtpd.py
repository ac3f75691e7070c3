"""OpenSMTPD 6.8 (opensmtpd, unpacked beside Postfix) as an MX for
example.org: virtual users mapped onto one system user, maildir
delivery, AUTH PLAIN after STARTTLS against a credentials table,
max-message-size, and no relaying.

OpenSMTPD compiles its paths in (/var/spool/smtpd, /var/run/smtpd.sock,
/var/lib/opensmtpd/empty, /usr/libexec/opensmtpd): in this run's mount
namespace /var/spool, /run, /var/lib and /usr/libexec are directories
of the run. It logs through syslog only.
"""

import crypt
import os
import ssl
import time

import common
from common import chown_tree, run, wait_port, write

LAYOUTS = ["syslog"]
PKGROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                        "..", "..", "build", "realservers", "pkgs", "root"))
SMTPD = os.path.join(PKGROOT, "usr", "sbin", "smtpd")
DOMAIN = "example.org"
MSG_LIMIT = 1000000
FULL_SIZE = "200k"
USERS = ["alice", "bob", "carol", "dave", "full1"]


def missing():
    return common.unpacked(SMTPD) + common.no_users("opensmtpd", "opensmtpq")


def addr(u):
    return "%s@%s" % (u, DOMAIN)


class System(common.System):
    name = "opensmtpd"
    ports = {"smtp": 7}
    groups = ("traffic", "refusals")

    @staticmethod
    def tmpfs(root):
        return [(root + "/full", FULL_SIZE)]

    @staticmethod
    def binds(root):
        for d in ("spool", "run", "varlib/opensmtpd/empty"):
            os.makedirs(root + "/ns/" + d, exist_ok=True)
        return [(root + "/ns/spool", "/var/spool"), (root + "/ns/run", "/run"),
                (root + "/ns/varlib", "/var/lib"),
                (os.path.join(PKGROOT, "usr", "libexec"), "/usr/libexec")]

    def configure(self):
        t = self.t
        o = t + "/osmtpd"
        os.makedirs(o, exist_ok=True)
        os.makedirs(t + "/mail", exist_ok=True)
        chown_tree(t + "/mail", "mail")
        full = self.sb.nspath(t + "/full")
        chown_tree(full, "mail")
        common.fill(full)
        # an EC key: with RSA, 6.8's privsep key engine fails the handshake
        # under OpenSSL 3 ("tlsv1 alert internal error")
        run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
             "-subj", "/CN=mx.example.org", "-keyout", o + "/key.pem",
             "-out", o + "/cert.pem"])
        os.chmod(o + "/key.pem", 0o600)
        write(o + "/vusers", "".join("%s mail\n" % addr(u) for u in USERS))
        write(o + "/rcpts", "".join("%s\n" % addr(u) for u in USERS))
        write(o + "/creds", "".join("%s %s\n" % (addr(u), crypt.crypt(
            "pw-" + u, crypt.mksalt(crypt.METHOD_SHA512))) for u in USERS), 0o640)
        write(o + "/ubase", "mail 8:8:%s/mail\n" % t)
        write(o + "/smtpd.conf", CONF % {"t": t, "port": self.p["smtp"], "limit": MSG_LIMIT})

    def start(self):
        self.sb.start("opensmtpd", [SMTPD, "-F", "-f", self.t + "/osmtpd/smtpd.conf"])
        wait_port(self.p["smtp"])

    def smtp(self, tls=False):
        c = common.smtp_from(self.p["smtp"])
        if tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
            c.starttls(context=ctx)
        return c

    def after(self, truth):
        time.sleep(1.0)         # the deliveries end (1.5 s in all)

    def send(self, truth, sender, rcpts, subject, body="x", login=None):
        c = self.smtp(tls=bool(login))
        if login:
            c.ehlo()
            c.user, c.password = login
            c.auth("PLAIN", c.auth_plain)
            truth.login("smtp_auth", True)
        c.sendmail(sender, rcpts, MSG % (subject, body))
        truth.count("received")
        c.quit()

    def traffic(self, truth):
        self.send(truth, "sender@example.net", [addr("bob")], "t1")
        self.send(truth, "sender@example.net", [addr("carol"), addr("dave")], "t2")
        self.send(truth, addr("alice"), [addr("bob")], "t3")
        truth.count("delivered", 4)
        # the full mail store: the maildir delivery fails, the mta defers
        self.send(truth, "sender@example.net", [addr("full1")], "full", "f" * 20000)
        truth.told("osmtpd_full_store", addr("full1"), "delivery TempFail",
                   "system_storage")
        truth.count("deferred")

    def refusals(self, truth):
        common.relay_and_unknown(truth, self.smtp, "sender@example.net", DOMAIN)
        # no oversize at MAIL FROM: OpenSMTPD takes a SIZE= above its
        # max-message-size and refuses the message only at DATA, logged
        # as `smtp failed-command command="data" result="554 ..."`: the
        # line names no address
        common.oversize_data(truth, self.smtp, "huge@example.net", addr("bob"),
                             MSG % ("huge", ("h" * 78 + "\r\n") * (MSG_LIMIT // 64)),
                             None)
        # no SMTP AUTH: OpenSMTPD offers it only after STARTTLS, and this
        # build's handshake fails here ("tlsv1 alert internal error",
        # with RSA and with EC keys), so the listener has neither


MSG = "From: s@example.net\r\nTo: u@example.org\r\nSubject: %s\r\n\r\n%s\r\n"

CONF = """\
pki mx.example.org cert "%(t)s/osmtpd/cert.pem"
pki mx.example.org key "%(t)s/osmtpd/key.pem"
table vusers file:%(t)s/osmtpd/vusers
table creds file:%(t)s/osmtpd/creds
table ubase file:%(t)s/osmtpd/ubase
table rcpts file:%(t)s/osmtpd/rcpts
filter "relay" phase rcpt-to match !rcpt-to regex "@example\\.org$" reject "550 5.7.1 Relay access denied"
filter "unknown" phase rcpt-to match !rcpt-to <rcpts> reject "550 5.1.1 User unknown"
filter "checks" chain { "relay", "unknown" }
smtp max-message-size %(limit)d
queue ttl 1h
listen on 127.0.0.1 port %(port)d hostname mx.example.org filter "checks"
action "deliver" maildir "%(t)s/mail/%%{dest.user:lowercase}/Maildir" virtual <vusers> userbase <ubase>
action "deliverfull" maildir "%(t)s/full/%%{dest.user:lowercase}/Maildir" virtual <vusers> userbase <ubase>
match from any for rcpt-to "full1@example.org" action "deliverfull"
match from any for domain "example.org" action "deliver"
match auth from any for any reject
"""
