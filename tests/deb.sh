#!/bin/sh
# The Debian package, built, installed, used and removed on this machine:
#  1. `make deb` builds build/deb/mxtally_*.deb; lintian finds no error
#     or warning (the info tags left are explained in
#     debian/mxtally.lintian-overrides);
#  2. `dpkg -i`: the installed /usr/bin/mxtally reads samples/ as the
#     build does (the same JSON byte for byte; 14 events in
#     samples/postfix/mx.log, by hand in tests/mail.sh); the mxtally user
#     exists, in group adm, owning /var/lib/mxtally; the timer is
#     enabled, watch is not; systemd-analyze verify passes on the
#     installed units;
#  3. the nightly report, as the README's "Nightly report" section says:
#     with MAIL_TO empty the unit's ExecStart sends nothing and exits 0;
#     with one recipient set in /etc/mxtally/mxtally.conf (and SENDMAIL
#     pointing at a private Postfix, tests/postfix_env.sh) it mails
#     yesterday's report, read back from the maildir; the cron.daily job
#     (no systemd runs here) sends it too; the history has yesterday;
#  4. `dpkg -r` leaves only the conffiles, /var/lib/mxtally (on
#     purpose: config and history survive a removal), the units'
#     enablement state and dpkg's records; `dpkg --purge` leaves no path
#     with "mxtally" in it (the system user stays, as Debian keeps
#     system users);
#  5. `apt install ./build/deb/mxtally_*.deb` (the README's way) and
#     `apt purge mxtally` work.
# The ExecStart runs as root here, not as the unit's user mxtally:
# Postfix lets only root submit through a private instance's config
# (sendmail -C), and no systemd runs in this container to start units.
#
# The log, in local time, yesterday = Y, today = T (by hand):
#   mail.log.1 (mtime Y 06:25): Y-1 23:00 u0 (out), Y 00:10 u1,
#     Y 05:00 storage (mx1, 452 4.3.1)
#   mail.log: Y 12:00 u3, Y 23:59:59 u4, T 00:00:01 u5 (out)
#   yesterday: u1, storage, u3, u4 = 4 errors, all on mx1; the storage
#   line fires storage_incident (threshold 1 per host in the default
#   /etc/mxtally/alerts.ini): 1 alert; no delivery traffic: storage 1.
#   Subject: "mx1: 1 alert, 4 errors, storage 1".
#
# Runs when CI=true (a missing tool fails), else only as root with
# dpkg-buildpackage present (else "skipped: why"), and never when a
# mxtally package is already installed (it would be removed).
set -u
MXTALLY=${MXTALLY:-build/rel/mxtally}
case $MXTALLY in /*) ;; *) MXTALLY=$(pwd)/$MXTALLY ;; esac
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/postfix_env.sh"
t_begin deb
tmp=$(mktemp -d)
installed=0
cleanup() {
	pf_stop
	[ "$installed" = 1 ] && pkg --purge mxtally
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ "${CI:-}" != true ]; then
	[ "$(id -u)" = 0 ] || t_skip_all "installs a package: needs root"
	command -v dpkg-buildpackage >/dev/null ||
		t_skip_all "no dpkg-buildpackage (apt-get install dpkg-dev)"
fi
for t in dpkg-buildpackage dh lintian systemd-analyze postfix python3; do
	command -v "$t" >/dev/null || t_skip_all "$t missing (sh .ci/deps test)"
done
[ "$(id -u)" = 0 ] || t_die "CI=true: installing the package needs root"
if dpkg-query -W -f='${Status}' mxtally 2>/dev/null | grep -q installed; then
	t_skip_all "a mxtally package is installed already: not touching it"
fi
# one package test at a time on this machine (several worktrees)
exec 9>/tmp/mxtally-deb-test.lock
flock 9

# paths with "mxtally" in them where a package may put files (not the
# trees of work, wherever they are: CI clones under /check, and other
# clones may be built meanwhile); not man-db's cache (systemd-analyze
# verify runs `man mxtally` for Documentation=, which may leave a
# formatted page in /var/cache/man)
mxfiles() {
	for d in /etc /usr /var /opt /boot; do
		find "$d" -xdev -path /var/cache/man -prune -o \
		    -path '*mxtally*' -print 2>/dev/null
	done | sort
}
mxfiles >"$tmp/before"

# dpkg does not wait for its lock (other engineers' apt runs): retry
pkg() {
	i=0
	while ! dpkg "$@" >"$tmp/dpkg.log" 2>&1; do
		grep -q "lock" "$tmp/dpkg.log" || return 1
		i=$((i + 1))
		[ "$i" -lt 120 ] || return 1
		sleep 5
	done
}

# 1. build, lint
${MAKE:-make} --no-print-directory deb >"$tmp/make.log" 2>&1 ||
	t_die "make deb: $(tail -20 "$tmp/make.log")"
deb=$(ls build/deb/mxtally_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] && ok || t_die "make deb made no build/deb/mxtally_*.deb"
lintian --fail-on error,warning build/deb/mxtally_*.changes \
    >"$tmp/lintian" 2>&1 && ok || bad "lintian: $(cat "$tmp/lintian")"
grep -q '^[EW]:' "$tmp/lintian" && bad "lintian: $(grep '^[EW]:' "$tmp/lintian")"

# 2. install
pkg -i "$deb" || t_die "dpkg -i: $(cat "$tmp/dpkg.log")"
installed=1
ok
[ -x /usr/bin/mxtally ] && ok || bad "no /usr/bin/mxtally"
/usr/bin/mxtally -q -j1 --year 2026 -f json samples/*/*.log >"$tmp/inst.json"
"$MXTALLY" -q -j1 --year 2026 -f json samples/*/*.log >"$tmp/build.json"
cmp -s "$tmp/inst.json" "$tmp/build.json" && ok ||
	bad "installed mxtally and the build disagree on samples/"
n=$(/usr/bin/mxtally -q --year 2026 -f json samples/postfix/mx.log |
    jq .totals.events)
[ "$n" = 14 ] && ok || bad "installed mxtally: mx.log has $n events, not 14"
man -w mxtally >/dev/null 2>&1 && ok || bad "man mxtally: no page"
id -nG mxtally 2>/dev/null | grep -qw adm && ok ||
	bad "user mxtally missing or not in adm"
[ "$(stat -c %U /var/lib/mxtally 2>/dev/null)" = mxtally ] && ok ||
	bad "/var/lib/mxtally not owned by mxtally"
[ -L /etc/systemd/system/timers.target.wants/mxtally-nightly.timer ] && ok ||
	bad "mxtally-nightly.timer not enabled"
[ ! -e /etc/systemd/system/multi-user.target.wants/mxtally-watch.service ] &&
	ok || bad "mxtally-watch.service enabled by the package"
u=/lib/systemd/system
systemd-analyze verify $u/mxtally-nightly.timer $u/mxtally-nightly.service \
    $u/mxtally-watch.service >"$tmp/verify" 2>&1 && ok ||
	bad "systemd-analyze verify: $(cat "$tmp/verify")"
for f in /etc/mxtally/mxtally.conf /etc/mxtally/alerts.ini \
    /etc/cron.daily/mxtally; do
	grep -qx "$f" /var/lib/dpkg/info/mxtally.conffiles && ok ||
		bad "$f is not a conffile"
done

# 3. the nightly report
exec_start=$(sed -n 's/^ExecStart=//p' $u/mxtally-nightly.service)
[ -x "$exec_start" ] && ok || t_die "ExecStart '$exec_start' not executable"
"$exec_start" >"$tmp/unset.out" 2>&1
rc=$?
[ $rc = 0 ] && grep -q "MAIL_TO is not set" "$tmp/unset.out" && ok ||
	bad "unconfigured run: rc $rc, $(cat "$tmp/unset.out")"

Y=$(date -d yesterday +%Y-%m-%d)
T=$(date +%Y-%m-%d)
Y1=$(date -d '2 days ago' +%Y-%m-%d)
rej() {	# STAMP USER
	printf '%s mx1 postfix/smtpd[41]: NOQUEUE: reject: RCPT from unknown[198.51.100.7]: 550 5.1.1 <%s@example.net>: Recipient address rejected: User unknown in virtual mailbox table; from=<s@bad.example> to=<%s@example.net> proto=ESMTP helo=<x>\n' "$1" "$2" "$2"
}
mkdir "$tmp/log"
{ rej "${Y1}T23:00:00" u0; rej "${Y}T00:10:00" u1
  printf '%s mx1 postfix/smtpd[42]: NOQUEUE: reject: MAIL from mail.example.org[192.0.2.10]: 452 4.3.1 Insufficient system storage; from=<s@example.org> proto=ESMTP helo=<mail.example.org>\n' "${Y}T05:00:00"
} >"$tmp/log/mail.log.1"
{ rej "${Y}T12:00:00" u3; rej "${Y}T23:59:59" u4; rej "${T}T00:00:01" u5
} >"$tmp/log/mail.log"
touch -d "$Y 06:25" "$tmp/log/mail.log.1"
chmod 755 "$tmp" "$tmp/log"

pf_start "$tmp/pf" || t_die "postfix did not start"
# what the admin edits: one recipient; what the test adds: its log and
# its Postfix
sed -i "s|^MAIL_TO=\"\"|MAIL_TO=\"postmaster@example.test\"|
s|^LOGS=.*|LOGS=\"$tmp/log/mail.log\"|
s|^SENDMAIL=\"\"|SENDMAIL=\"$tmp/pf/sendmail\"|" /etc/mxtally/mxtally.conf
"$exec_start" >"$tmp/run.out" 2>&1 && ok ||
	bad "nightly ExecStart failed: $(cat "$tmp/run.out")"
pf_wait 1 && ok || t_die "the nightly report was not delivered"
sh /etc/cron.daily/mxtally >"$tmp/cron.out" 2>&1 && ok ||
	bad "cron.daily failed: $(cat "$tmp/cron.out")"
pf_wait 2 && ok || bad "the cron.daily report was not delivered"
python3 - "$tmp/pf/Maildir/new" "$Y" >"$tmp/py.out" 2>&1 <<'EOF'
import email, email.policy, os, sys
d = sys.argv[1]
for name in sorted(os.listdir(d)):
    m = email.message_from_binary_file(open(os.path.join(d, name), "rb"),
                                       policy=email.policy.default)
    if m["Subject"] != "mx1: 1 alert, 4 errors, storage 1":
        print("FAIL subject %r" % m["Subject"])
    if m["To"] != "postmaster@example.test":
        print("FAIL To %r" % m["To"])
    if m["Auto-Submitted"] != "auto-generated":
        print("FAIL Auto-Submitted")
    parts = [p.get_content_type() for p in m.iter_parts()]
    if parts != ["text/plain", "text/html"]:
        print("FAIL parts %r" % parts)
        continue
    text = next(m.iter_parts()).get_content()
    if "Errors    4 events," not in text or ", 1 host\n" not in text:
        print("FAIL text: no 'Errors    4 events, ..., 1 host'")
    if "mail.log.1" not in text:
        print("FAIL text: mail.log.1 not read")
    if "Period    %sT00:10:00 to %sT23:59:59" % (sys.argv[2], sys.argv[2]) \
            not in text:
        print("FAIL text: period is not yesterday's")
print("checked")
EOF
grep -q "^checked" "$tmp/py.out" && ! grep -q FAIL "$tmp/py.out" && ok ||
	bad "nightly mail: $(cat "$tmp/py.out")"
/usr/bin/mxtally trend --history /var/lib/mxtally/history.db --days 400 \
    >"$tmp/trend" 2>&1
grep -q "$Y" "$tmp/trend" && ok || bad "history has no $Y: $(cat "$tmp/trend")"

# 4. remove, purge
pkg -r mxtally && ok || bad "dpkg -r: $(cat "$tmp/dpkg.log")"
mxfiles >"$tmp/removed"
# what stays until purge, on purpose: the conffiles, the history, the
# admin's enable/disable choice for the units (deb-systemd-helper's
# state, so a reinstall keeps it) and dpkg's record of the conffiles
comm -13 "$tmp/before" "$tmp/removed" >"$tmp/left"
cat >"$tmp/left.want" <<EOF
/etc/cron.daily/mxtally
/etc/mxtally
/etc/mxtally/alerts.ini
/etc/mxtally/mxtally.conf
/etc/systemd/system/timers.target.wants/mxtally-nightly.timer
/var/lib/dpkg/info/mxtally.list
/var/lib/dpkg/info/mxtally.postrm
/var/lib/mxtally
/var/lib/mxtally/history.db
/var/lib/systemd/deb-systemd-helper-enabled/mxtally-nightly.timer.dsh-also
/var/lib/systemd/deb-systemd-helper-enabled/mxtally-watch.service.dsh-also
/var/lib/systemd/deb-systemd-helper-enabled/timers.target.wants/mxtally-nightly.timer
EOF
cmp -s "$tmp/left" "$tmp/left.want" && ok ||
	bad "after dpkg -r, want only the conffiles and /var/lib/mxtally: $(diff "$tmp/left.want" "$tmp/left")"
[ ! -e /usr/bin/mxtally ] && ok || bad "/usr/bin/mxtally left after dpkg -r"
dpkg-query -W -f='${Status}' mxtally | grep -q "config-files" && ok ||
	bad "after dpkg -r the package is not in config-files state"
pkg --purge mxtally && ok ||
	bad "dpkg --purge: $(cat "$tmp/dpkg.log")"
installed=0
mxfiles >"$tmp/purged"
comm -13 "$tmp/before" "$tmp/purged" >"$tmp/left"
[ ! -s "$tmp/left" ] && ok || bad "left after purge: $(cat "$tmp/left")"
[ ! -e /etc/systemd/system/timers.target.wants/mxtally-nightly.timer ] &&
	ok || bad "timer still enabled after purge"

# 5. the README's way: apt install ./mxtally_*.deb (its dependencies are
# here already: nothing is downloaded), then apt purge
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends \
    "$(pwd)/$deb" >"$tmp/apt.log" 2>&1 && [ -x /usr/bin/mxtally ] && ok ||
	bad "apt install ./$deb: $(tail -5 "$tmp/apt.log")"
installed=1
apt-get -o DPkg::Lock::Timeout=600 purge -y -q mxtally >"$tmp/apt.log" 2>&1 &&
    ok || bad "apt purge mxtally: $(tail -5 "$tmp/apt.log")"
installed=0
t_end
