#!/bin/sh
# --mail-to through a real Postfix (tests/postfix_env.sh: a private
# instance on 127.0.0.1, delivering into a maildir in a temp dir), the
# message read back from the maildir:
#  1. MIME structure, with Python's email package: multipart/alternative
#     of text/plain (quoted-printable) and text/html (base64), both
#     utf-8; headers From, To (both recipients), Subject, Date (parses,
#     within a minute of now), Message-ID, MIME-Version: 1.0,
#     Auto-Submitted: auto-generated; the envelope (Postfix's log) names
#     both recipients;
#  2. the decoded parts are byte for byte what `-f text --color never`
#     and `-f html` print for the same run (the transport changed
#     nothing), and hold the hand-derived numbers;
#  3. the HTML part in headless Chromium: the DOM has the report's tiles
#     with the numbers below; a screenshot is written (MAIL_SHOTS=dir
#     keeps it);
#  4. failures: a sendmail that exits 75 gives exit 5 and names the
#     command, a missing one exit 5, a bad address exit 2; nothing is
#     printed on stdout when mailing.
# Hand-derived expectations, samples/postfix/mx.log with samples/alerts.ini
# (see samples/postfix/mx.log, 23 lines):
#   errors 14 (its expect.json: policy 4 + unknown 3 + auth 2 +
#     system_storage 2 + dns 1 + quota 1 + service 1);
#   alerts 1: storage_incident (threshold 1 per host) on mx2, whose two
#     "452 4.3.1 Insufficient system storage" rejects are at 10:02, 10:03;
#     quota_refusals needs 3 per user, lock_storm 5 locks: none here;
#   storage 3 (system_storage 2 + the quota deferral at 11:20) of
#     traffic 6 (status=sent 2, status=deferred 2, status=bounced 2;
#     no POP3/IMAP logins) = 50 %;
#   hosts with errors: mx1, mx2, smtp1: more than one, so the subject
#     names this machine (gethostname).
set -u
MXTALLY=${MXTALLY:-./mxtally}
case $MXTALLY in /*) ;; *) MXTALLY=$(pwd)/$MXTALLY ;; esac
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/postfix_env.sh"
t_begin mail
tmp=$(mktemp -d)
trap 'pf_stop; rm -rf "$tmp"' EXIT

if ! command -v postfix >/dev/null || [ ! -x /usr/sbin/sendmail ] ||
    ! command -v python3 >/dev/null; then
	t_skip_all "postfix or python3 not installed (sh .ci/deps test)"
fi
[ "$(id -u)" = 0 ] || t_skip_all "a private postfix instance needs root"
pf_start "$tmp/pf" || t_die "postfix did not start"

args="-q --year 2026 --rules samples/alerts.ini samples/postfix/mx.log"
# shellcheck disable=SC2086
"$MXTALLY" $args --mail-to postmaster@example.test \
    --mail-to ops@example.test --mail-from mxtally@mx-test.invalid \
    --sendmail "$tmp/pf/sendmail" >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
[ $rc = 0 ] && ok || bad "--mail-to exited $rc: $(cat "$tmp/stderr")"
[ ! -s "$tmp/stdout" ] && ok || bad "--mail-to printed on stdout"
# shellcheck disable=SC2086
"$MXTALLY" $args -f text --color never >"$tmp/report.txt"
# shellcheck disable=SC2086
"$MXTALLY" $args -f html >"$tmp/report.html"
pf_wait 2 && ok || t_die "the message was not delivered"
msg=$(find "$tmp/pf/Maildir/new" -type f | head -1)
grep -q "to=<postmaster@example.test>.*status=sent" "$tmp/pf/postfix.log" &&
    grep -q "to=<ops@example.test>.*status=sent" "$tmp/pf/postfix.log" &&
    ok || bad "postfix did not deliver to both recipients"

# 1 + 2: the message, parsed
python3 - "$msg" "$tmp/report.txt" "$tmp/report.html" "$tmp/part.html" \
    >"$tmp/py.out" 2>&1 <<'EOF'
import email, email.policy, email.utils, socket, sys, time
msg = email.message_from_binary_file(open(sys.argv[1], "rb"),
                                     policy=email.policy.default)
text, html = open(sys.argv[2], "rb").read(), open(sys.argv[3], "rb").read()
fails = []
def check(cond, what):
    if not cond:
        fails.append(what)
want = "%s: 1 alert, 14 errors, storage 50 %% of traffic" % \
    socket.gethostname()
check(msg["Subject"] == want, "subject %r, want %r" % (msg["Subject"], want))
check(msg["From"] == "mxtally@mx-test.invalid", "From %r" % msg["From"])
to = [a for _, a in email.utils.getaddresses([str(msg["To"])])]
check(to == ["postmaster@example.test", "ops@example.test"], "To %r" % to)
check(msg["MIME-Version"] == "1.0", "MIME-Version")
check(msg["Auto-Submitted"] == "auto-generated", "Auto-Submitted")
mid = msg["Message-ID"] or ""
check(mid.startswith("<") and mid.endswith(">") and "@" in mid,
      "Message-ID %r" % mid)
d = email.utils.parsedate_to_datetime(msg["Date"])
check(abs(d.timestamp() - time.time()) < 120, "Date %r" % msg["Date"])
check(msg.get_content_type() == "multipart/alternative",
      "type %s" % msg.get_content_type())
parts = list(msg.iter_parts())
check([p.get_content_type() for p in parts] == ["text/plain", "text/html"],
      "parts %r" % [p.get_content_type() for p in parts])
if len(parts) == 2:
    p, h = parts
    check(p.get_content_charset() == "utf-8", "plain charset")
    check(h.get_content_charset() == "utf-8", "html charset")
    check(p["Content-Transfer-Encoding"] == "quoted-printable", "plain cte")
    check(h["Content-Transfer-Encoding"] == "base64", "html cte")
    pt, ht = p.get_payload(decode=True), h.get_payload(decode=True)
    check(pt == text, "plain part differs from -f text")
    check(ht == html, "html part differs from -f html")
    check(b"Errors    14 events" in pt, "plain part: no 'Errors    14 events'")
    check(b"storage_incident" in pt, "plain part: no storage_incident alert")
    open(sys.argv[4], "wb").write(ht)
# RFC 5322/2045: no line over 78 (998) characters in the raw message
raw = open(sys.argv[1], "rb").read().split(b"\n")
check(max(len(l.rstrip(b"\r")) for l in raw) <= 78, "a raw line over 78")
for f in fails:
    print("FAIL " + f)
print("checked")
EOF
if grep -q "^checked" "$tmp/py.out" && ! grep -q "^FAIL" "$tmp/py.out"; then
	ok
else
	bad "message: $(cat "$tmp/py.out")"
fi

# 3: the HTML part in Chromium
chrome=$(command -v chromium || true)
if [ -z "$chrome" ]; then
	skip "chromium missing, HTML part not rendered"
elif [ -s "$tmp/part.html" ]; then
	b() {
		timeout 60 "$chrome" --headless --no-sandbox --disable-gpu \
		    --no-first-run --disable-background-networking \
		    --disable-component-update --disable-sync \
		    --user-data-dir="$(mktemp -d "$tmp/prof.XXXXXX")" "$@" \
		    2>>"$tmp/chromium.log"
	}
	b --dump-dom "file://$tmp/part.html" >"$tmp/dom.html"
	python3 - "$tmp/dom.html" >"$tmp/dom.out" 2>&1 <<'EOF'
import html.parser, sys
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.cur = {}, None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.cur = a["id"]
            self.ids[self.cur] = ""
    def handle_data(self, d):
        if self.cur is not None:
            self.ids[self.cur] += d.strip()
    def handle_endtag(self, tag):
        self.cur = None
p = P()
p.feed(open(sys.argv[1]).read())
want = {"total-events": "14", "group-storage": "3", "group-auth": "2",
        "total-lines": "23"}
for k, v in want.items():
    if p.ids.get(k) != v:
        print("FAIL #%s = %r, want %r" % (k, p.ids.get(k), v))
print("checked")
EOF
	if grep -q "^checked" "$tmp/dom.out" && ! grep -q FAIL "$tmp/dom.out"
	then
		ok
	else
		bad "html part in chromium: $(cat "$tmp/dom.out")"
	fi
	shots=${MAIL_SHOTS:-$tmp}
	mkdir -p "$shots"
	b --screenshot="$shots/mail-html.png" --window-size=1280,900 \
	    "file://$tmp/part.html" >/dev/null
	[ -s "$shots/mail-html.png" ] && ok || bad "no screenshot of the part"
fi

# 4: failures
printf '#!/bin/sh\ncat >/dev/null\nexit 75\n' >"$tmp/sm75"
chmod 755 "$tmp/sm75"
# shellcheck disable=SC2086
"$MXTALLY" $args --mail-to a@example.test --sendmail "$tmp/sm75" \
    >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
[ $rc = 5 ] && grep -q "'$tmp/sm75 -oi -- a@example.test' failed with exit status 75" "$tmp/stderr" &&
    ok || bad "sendmail exit 75: rc $rc, $(cat "$tmp/stderr")"
# shellcheck disable=SC2086
MXTALLY_SENDMAIL=$tmp/none "$MXTALLY" $args --mail-to a@example.test \
    >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
[ $rc = 5 ] && grep -q "cannot run '$tmp/none" "$tmp/stderr" && ok ||
	bad "missing sendmail: rc $rc, $(cat "$tmp/stderr")"
# shellcheck disable=SC2086
"$MXTALLY" $args --mail-to "a@example.test, b@example.test" \
    >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
[ $rc = 2 ] && grep -q "bad address" "$tmp/stderr" && ok ||
	bad "bad address: rc $rc"
# a sendmail that reads nothing and exits 0 still takes nothing: the
# message is written in full or the run fails (here: it may fail with
# EPIPE, or succeed if the pipe buffer took it all; never a crash)
printf '#!/bin/sh\nexit 0\n' >"$tmp/sm0"
chmod 755 "$tmp/sm0"
# shellcheck disable=SC2086
"$MXTALLY" $args --mail-to a@example.test --sendmail "$tmp/sm0" \
    >/dev/null 2>"$tmp/stderr"
rc=$?
[ $rc = 0 ] || [ $rc = 5 ] && ok || bad "sendmail reading nothing: rc $rc"

t_end
