#!/bin/sh
# What `make install` puts in place for the nightly report (dist/):
#  1. the files, under a PREFIX in a temp dir (SYSCONFDIR there too),
#     with the install paths filled in;
#  2. systemd-analyze verify on the installed units (it runs here without
#     a running systemd; their ExecStart paths and man page exist under
#     the PREFIX, MANPATH points at it);
#  3. mxtally-nightly, with a stand-in for mxtally that prints its
#     arguments (MXTALLY=...): the default config sends nothing and does
#     not run mxtally; each setting becomes the options below, derived by
#     hand from dist/mxtally.conf's meaning; the cron.daily job runs it
#     when no systemd runs (as here) and not when /run/systemd/system
#     exists (not testable here: said by the code).
# The mail itself, through a real Postfix, is tests/mail.sh and
# tests/deb.sh.
set -u
. "$(dirname "$0")/lib.sh"
t_begin dist
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
p=$tmp/p

${MAKE:-make} --no-print-directory -s install PREFIX="$p" \
    SYSCONFDIR="$p/etc" >"$tmp/make.log" 2>&1 ||
	t_die "make install: $(tail -5 "$tmp/make.log")"
for f in bin/mxtally share/man/man1/mxtally.1 libexec/mxtally/mxtally-nightly \
    lib/systemd/system/mxtally-nightly.service \
    lib/systemd/system/mxtally-nightly.timer \
    lib/systemd/system/mxtally-watch.service etc/cron.daily/mxtally \
    etc/mxtally/mxtally.conf etc/mxtally/alerts.ini \
    share/doc/mxtally/examples/logrotate-mail; do
	[ -f "$p/$f" ] && ok || bad "make install: no $f"
done
grep -q '@[A-Z]*@' "$p/libexec/mxtally/mxtally-nightly" \
    "$p"/lib/systemd/system/* "$p/etc/cron.daily/mxtally" &&
	bad "an @PATH@ left unfilled"
grep -qx "ExecStart=$p/libexec/mxtally/mxtally-nightly" \
    "$p/lib/systemd/system/mxtally-nightly.service" && ok ||
	bad "ExecStart does not name the installed script"
# a second install keeps an edited config
echo 'MAIL_TO="edited@example.org"' >>"$p/etc/mxtally/mxtally.conf"
${MAKE:-make} --no-print-directory -s install PREFIX="$p" \
    SYSCONFDIR="$p/etc" >/dev/null 2>&1
grep -q edited "$p/etc/mxtally/mxtally.conf" && ok ||
	bad "make install overwrote /etc/mxtally/mxtally.conf"
cp dist/mxtally.conf "$p/etc/mxtally/mxtally.conf"

if command -v systemd-analyze >/dev/null; then
	MANPATH=$p/share/man: systemd-analyze verify \
	    "$p"/lib/systemd/system/mxtally-* >"$tmp/verify" 2>&1 && ok ||
		bad "systemd-analyze verify: $(cat "$tmp/verify")"
	# and it can fail: a unit whose ExecStart does not exist
	sed "s|^ExecStart=.*|ExecStart=$tmp/none|" \
	    "$p/lib/systemd/system/mxtally-nightly.service" \
	    >"$tmp/broken.service"
	MANPATH=$p/share/man: systemd-analyze verify "$tmp/broken.service" \
	    >/dev/null 2>&1 && bad "systemd-analyze verify passed a broken unit"
else
	skip "systemd-analyze missing (apt-get install systemd)"
fi

# 3. the script
printf '#!/bin/sh\nfor a in "$@"; do printf "%%s\\n" "$a"; done\n' \
    >"$tmp/mxtally"
chmod 755 "$tmp/mxtally"
conf=$tmp/c.conf
run() {
	MXTALLY=$tmp/mxtally MXTALLY_CONF=$conf "$@"
}
cp dist/mxtally.conf "$conf"
run "$p/libexec/mxtally/mxtally-nightly" >"$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] && grep -q "MAIL_TO is not set" "$tmp/out" &&
    ! grep -q -- --mail-to "$tmp/out" && ok ||
	bad "default config: rc $rc, $(cat "$tmp/out")"
cat >>"$conf" <<'EOF'
MAIL_TO="a@example.org b@example.org"
LOGS="/var/log/mail.log /var/log/other.log"
HISTORY="/var/lib/mxtally/h.db"
MAIL_FROM="mx@example.org"
OPTIONS="--top 5"
EOF
run "$p/libexec/mxtally/mxtally-nightly" >"$tmp/out" 2>&1
cat >"$tmp/want" <<'EOF'
--no-progress
--mail-to
a@example.org
--mail-to
b@example.org
--mail-from
mx@example.org
--rules
/etc/mxtally/alerts.ini
--history
/var/lib/mxtally/h.db
--day
yesterday
--top
5
--
/var/log/mail.log
/var/log/other.log
EOF
diff "$tmp/want" "$tmp/out" >"$tmp/diff" && ok ||
	bad "configured: options differ: $(cat "$tmp/diff")"
echo 'STATE="/var/lib/mxtally/state"' >>"$conf"
echo 'RULES=""' >>"$conf"
run "$p/libexec/mxtally/mxtally-nightly" >"$tmp/out" 2>&1
grep -qx -- --state "$tmp/out" && ! grep -qx -- --day "$tmp/out" &&
    ! grep -qx -- --rules "$tmp/out" && ok ||
	bad "STATE: $(cat "$tmp/out")"
if [ ! -d /run/systemd/system ]; then
	run sh "$p/etc/cron.daily/mxtally" >"$tmp/out" 2>&1
	grep -qx -- --state "$tmp/out" && ok ||
		bad "cron.daily did not run the report: $(cat "$tmp/out")"
fi
MXTALLY_CONF=$tmp/none "$p/libexec/mxtally/mxtally-nightly" \
    >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 1 ] && grep -q "cannot read $tmp/none" "$tmp/err" && ok ||
	bad "missing config: rc $rc"
t_end
