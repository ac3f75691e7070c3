# Sourced by tests that deliver mail: a private Postfix instance in a temp
# dir, never the machine's own (/etc/postfix): its own config, queue and
# data directories, started with `postfix -c`, an smtpd on 127.0.0.1 at
# a free port of 23000-23999, and every mail for any address delivered
# by virtual(8) into one maildir, $pf/Maildir. Submit with $pf/sendmail,
# a wrapper for `/usr/sbin/sendmail -C $pf/conf`.
#   pf_start DIR   make and start the instance; 0 or 1 (reason on stderr)
#   pf_wait N      wait (at most 60 s) until N mails are in the maildir
#   pf_stop        stop it
pf=

pf_port() {
	python3 - <<'PY'
import random, socket
ports = list(range(23000, 24000))
random.shuffle(ports)
for p in ports:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    s.close()
    print(p)
    break
PY
}

pf_start() {
	pf=$1
	mkdir -p "$pf/conf" "$pf/queue" "$pf/data" "$pf/Maildir"
	# the postfix user must reach its data and queue directories
	chmod 755 "$(dirname "$pf")" "$pf" "$pf/conf"
	chown postfix "$pf/data"
	chown nobody:nogroup "$pf/Maildir"
	port=$(pf_port)
	cat >"$pf/conf/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $pf/queue
data_directory = $pf/data
maillog_file = $pf/postfix.log
maillog_file_prefixes = $pf
myhostname = mx-test.invalid
mydomain = invalid
myorigin = \$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
smtpd_banner = \$myhostname ESMTP
alias_maps =
alias_database =
relayhost =
virtual_mailbox_domains = static:ALL
virtual_mailbox_base = $pf
virtual_mailbox_maps = static:Maildir/
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(getent group nogroup | cut -d: -f3)
virtual_minimum_uid = 1
CF
	cat >"$pf/conf/master.cf" <<CF
127.0.0.1:$port inet n - n - - smtpd
pickup    unix  n       -       n       1       1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       1       1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CF
	printf '#!/bin/sh\nexec /usr/sbin/sendmail -C %s/conf "$@"\n' "$pf" \
	    >"$pf/sendmail"
	chmod 755 "$pf/sendmail"
	if ! postfix -c "$pf/conf" start >"$pf/start.log" 2>&1; then
		echo "postfix -c $pf/conf start failed:" >&2
		cat "$pf/start.log" "$pf/postfix.log" >&2 2>/dev/null
		return 1
	fi
	echo "$port" >"$pf/port"
}

pf_wait() {
	i=0
	while [ "$(find "$pf/Maildir/new" -type f 2>/dev/null | wc -l)" -lt "$1" ]
	do
		i=$((i + 1))
		if [ "$i" -gt 600 ]; then
			echo "no mail after 60 s; postfix log:" >&2
			tail -20 "$pf/postfix.log" >&2
			return 1
		fi
		sleep 0.1
	done
}

pf_stop() {
	[ -n "$pf" ] && postfix -c "$pf/conf" stop >/dev/null 2>&1
	pf=
}
