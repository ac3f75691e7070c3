# Sendmail traffic as README "Traffic" defines it, counted from a syslog
# of sendmail lines independently of mxtally (tests/traffic.sh compares):
# prints "key value" per line for the JSON's traffic object.
#
#  received        "QID: from=S, size=N, ..., nrcpts=R" with N > 0, R > 0
#  bytes_received  the sum of those N
#  delivered       each recipient of a "QID: to=LIST, ..., stat=Sent" line
#  bytes_delivered N of the QID's counted from= line, once per recipient
#  deferrals       each recipient of a to= line with dsn=4.x.x or, with
#                  no dsn, stat=Deferred; deferred the distinct QIDs
#  bounced         each recipient of a to= line with dsn=5.x.x
#  rejected        "ruleset=..., reject=", "Milter: ..., reject=NNN",
#                  "QID: <r>... text", "QID: message size (",
#                  "rejecting commands ... pre-greeting traffic"
#  senders         distinct S (without <>, domain lower-cased)
#  recipients      distinct delivered recipients (the same way)

function unb(a) {
	sub(/^</, "", a)
	sub(/>$/, "", a)
	return a
}
function norm(a,	i) {
	i = index(a, "@")
	return i ? substr(a, 1, i) tolower(substr(a, i + 1)) : a
}
function num(m, key,	i, s) {	# the number after key in m, else -1
	i = index(m, key)
	if (i == 0)
		return -1
	s = substr(m, i + length(key))
	if (match(s, /^[0-9]+/) == 0)
		return -1
	return substr(s, 1, RLENGTH) + 0
}
# the recipients of "to=LIST, ..." into rc[], their number returned
function rcpts(m, rc,	l, i, n, k, parts) {
	l = substr(m, index(m, "to=") + 3)
	i = index(l, ", ")
	if (i)
		l = substr(l, 1, i - 1)
	n = split(l, parts, ",")
	k = 0
	for (i = 1; i <= n; i++)
		if (parts[i] != "")
			rc[++k] = unb(parts[i])
	return k
}

{
	i = index($0, "]: ")
	if (i == 0)
		next
	m = substr($0, i + 3)
	qid = m
	sub(/:.*/, "", qid)
}

m ~ /^[^ ]+: from=/ {
	size = num(m, ", size=")
	n = num(m, ", nrcpts=")
	if (size > 0 && n > 0) {
		received++
		bin += size
		sz[qid] = size
		s = substr(m, index(m, "from=") + 5)
		s = substr(s, 1, index(s, ", size=") - 1)
		snd[norm(unb(s))] = 1
	}
	next
}

m ~ /^[^ ]+: to=/ {
	delete rc
	n = rcpts(m, rc)
	if (m ~ /, stat=Sent( |$)/) {
		for (i = 1; i <= n; i++) {
			delivered++
			bout += sz[qid]
			rcp[norm(rc[i])] = 1
		}
	} else if (m ~ /, dsn=5/) {
		bounced += n > 1 ? n : 1
	} else if (m ~ /, dsn=4/ || (m !~ /, dsn=/ && m ~ /, stat=Deferred/)) {
		deferrals += n > 1 ? n : 1
		dq[qid] = 1
	}
	next
}

m ~ /^([^ ]+: )?ruleset=.*, reject=/ ||
m ~ /^([^ ]+: )?Milter: .*, reject=[245][0-9][0-9]/ ||
m ~ /^[^ ]+: <[^ ]*>\.\.\. / ||
m ~ /^[^ ]+: message size \(/ ||
m ~ /^[^ ]+: rejecting commands from .*pre-greeting traffic/ {
	rejected++
}

END {
	for (k in snd)
		senders++
	for (k in rcp)
		recipients++
	for (k in dq)
		deferred++
	printf "received %d\n", received
	printf "bytes_received %d\n", bin
	printf "delivered %d\n", delivered
	printf "bytes_delivered %d\n", bout
	printf "deferred %d\n", deferred
	printf "deferrals %d\n", deferrals
	printf "bounced %d\n", bounced
	printf "rejected %d\n", rejected
	printf "senders %d\n", senders
	printf "recipients %d\n", recipients
}
