"""Exim 4.96 (exim4-daemon-light, unpacked beside Postfix) as an MX for
example.com: SMTP AUTH PLAIN against a file, relay restriction and
recipient verification in the RCPT ACL, message_size_limit,
check_spool_space, and maildir delivery with an appendfile quota.

Layouts, one run each:
  syslog   log_file_path = syslog, through our listener (RFC 3164,
           RFC 3339, journalctl short-iso)
  mainlog  log_file_path = <dir>/%slog: Exim's own mainlog (and its
           rejectlog, which repeats rejections with headers and is not
           given to mxtally, as a postmaster would not)
"""

import os
import time

import common
from common import chown_tree, run, wait_port, write

LAYOUTS = ["syslog", "mainlog"]
PKGROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                       "build", "realservers", "pkgs", "root")
EXIM = os.path.normpath(os.path.join(PKGROOT, "usr", "sbin", "exim4"))
DOMAIN = "example.com"
QUOTA_KB = 40
MSG_LIMIT = 1000000
SPOOL_SIZE = "4m"
SPOOL_MIN = "2M"            # check_spool_space
FULL_SIZE = "200k"
USERS = ["alice", "bob", "carol", "dave", "erin", "quota1", "full1"]


def missing():
    return common.unpacked(EXIM) + common.no_users("Debian-exim")


def addr(u):
    return "%s@%s" % (u, DOMAIN)


class System(common.System):
    name = "exim"
    ports = {"smtp": 5}
    groups = ("traffic", "refusals")

    @staticmethod
    def binds(root):
        """Exim re-executes itself as /usr/sbin/exim4 (compiled in): in
        this run's namespace the unpacked package's sbin is /usr/sbin."""
        return [(os.path.dirname(EXIM), "/usr/sbin")]

    @staticmethod
    def tmpfs(root):
        return [(root + "/spool", SPOOL_SIZE), (root + "/full", FULL_SIZE)]

    def configure(self):
        t = self.t
        os.makedirs(t + "/exim", exist_ok=True)
        os.makedirs(t + "/mail", exist_ok=True)
        write(t + "/exim/passwd", "".join("%s: pw-%s\n" % (addr(u), u) for u in USERS))
        write(t + "/exim/users", "".join("%s: %s\n" % (u, u) for u in USERS))
        # deliveries run as Exim's own user: a daemon started with -C
        # re-executes itself without root for them (no trusted_configs)
        chown_tree(t + "/mail", "Debian-exim")
        spool = self.sb.nspath(t + "/spool")
        chown_tree(spool, "Debian-exim")
        full = self.sb.nspath(t + "/full")
        chown_tree(full, "Debian-exim")
        common.fill(full)
        if self.layout == "syslog":
            logp = "syslog"
        else:
            logp = t + "/log/exim_%slog"
            self.logs["exim"] = t + "/log/exim_mainlog"
        write(t + "/exim/exim.conf", EXIM_CONF % {
            "t": t, "port": self.p["smtp"], "limit": MSG_LIMIT, "spoolmin": SPOOL_MIN,
            "quota": "%dK" % QUOTA_KB, "logp": logp})

    def start(self):
        self.sb.start("exim", [EXIM, "-C", self.t + "/exim/exim.conf", "-bdf",
                               "-oP", self.t + "/exim/exim.pid"])
        wait_port(self.p["smtp"])

    def settle(self, queued=0):
        """Wait until the deliveries are over: the queue holds just the
        `queued` deferred messages, twice in a row."""
        end = time.time() + 30
        last = None
        while time.time() < end:
            n = int(run(self.sb.ns([EXIM, "-C", self.t + "/exim/exim.conf", "-bpc"])))
            if n == queued and last == queued:
                return
            last = n
            time.sleep(0.3)
        raise RuntimeError("exim queue holds %s messages, not %d" % (last, queued))

    def after(self, truth):
        self.settle(2)
        self.spool_full(truth)

    def send(self, truth, sender, rcpts, subject, body="x", login=None):
        c = self.smtp()
        if login:
            c.ehlo()
            c.user, c.password = login
            c.auth("PLAIN", c.auth_plain)
            truth.login("smtp_auth", True)
        c.sendmail(sender, rcpts, MSG % (subject, body))
        truth.count("received")
        c.quit()

    def traffic(self, truth):
        half = "y" * (QUOTA_KB * 1024 * 2 // 5)     # two fit, three do not
        self.send(truth, "sender@example.org", [addr("bob")], "t1")
        self.send(truth, "sender@example.org", [addr("carol"), addr("dave")], "t2")
        self.send(truth, addr("alice"), [addr("erin")], "t3",
                  login=(addr("alice"), "pw-alice"))
        truth.count("delivered", 4)
        for k in range(2):
            self.send(truth, "sender@example.org", [addr("quota1")], "fill%d" % k, half)
            truth.count("delivered")
        self.settle()
        # quota at delivery: the appendfile transport defers
        self.send(truth, "sender@example.org", [addr("quota1")], "over", half)
        truth.told("exim_quota", addr("quota1"), "== mailbox is full", "quota_exceeded")
        truth.count("deferred")
        # the full mail store: the appendfile transport defers
        self.send(truth, "sender@example.org", [addr("full1")], "full", half)
        truth.told("exim_full_store", addr("full1"), "== No space left on device",
                   "system_storage")
        truth.count("deferred")

    def refusals(self, truth):
        common.relay_and_unknown(truth, self.smtp, "sender@example.org", DOMAIN)
        common.oversize_mail(truth, self.smtp, "big@example.org", MSG_LIMIT)
        common.oversize_data(truth, self.smtp, "huge@example.org", addr("bob"),
                             MSG % ("huge", ("h" * 78 + "\r\n") * (MSG_LIMIT // 64)),
                             "huge@example.org")
        common.auth_failures(truth, self.smtp, ((addr("bob"), "wrong"),
                                                (addr("carol"), "wrong"),
                                                ("ghost@" + DOMAIN, "x")))

    def spool_full(self, truth):
        """Insufficient system storage, alone: Exim refuses MAIL FROM while
        its spool has less than check_spool_space free."""
        with common.space_left(self.sb.nspath(self.t + "/spool"), 1024 * 1024):
            common.mail_refused_for_space(truth, self.smtp)


MSG = "From: s@example.org\r\nTo: u@example.com\r\nSubject: %s\r\n\r\n%s\r\n"

EXIM_CONF = """\
primary_hostname = mx.example.com
domainlist local_domains = example.com
spool_directory = %(t)s/spool
log_file_path = %(logp)s
syslog_processname = exim
syslog_timestamp = false
syslog_duplication = false
keep_environment =
local_interfaces = <; 127.0.0.1.%(port)d
daemon_smtp_ports = %(port)d
message_size_limit = %(limit)d
check_spool_space = %(spoolmin)s
host_lookup =
rfc1413_hosts =
auth_advertise_hosts = *
tls_advertise_hosts =
never_users = root
deliver_drop_privilege = false
acl_smtp_rcpt = acl_check_rcpt
acl_smtp_data = acl_check_data
queue_run_max = 0

begin acl

acl_check_rcpt:
  accept  authenticated = *
  deny    domains = !+local_domains
          message = relay not permitted
  require verify = recipient
  accept

acl_check_data:
  accept

begin routers

local_user:
  driver = accept
  domains = +local_domains
  local_parts = lsearch;%(t)s/exim/users
  transport = maildir

begin transports

maildir:
  driver = appendfile
  directory = %(t)s/${if eq{$local_part_data}{full1}{full}{mail}}/$local_part_data/Maildir
  maildir_format
  create_directory
  delivery_date_add
  envelope_to_add
  return_path_add
  user = Debian-exim
  group = Debian-exim
  mode = 0600
  quota = %(quota)s

begin retry

*   *   F,1h,1h

begin rewrite

begin authenticators

plain:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = ${if eq{$auth3}{${lookup{$auth2}lsearch{%(t)s/exim/passwd}}}}
  server_set_id = $auth2
"""
