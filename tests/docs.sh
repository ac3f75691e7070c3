#!/bin/sh
# The help, the man page and the README say the same: every command that
# `mxtally --help` lists answers --help itself (exit 0, its own usage
# line) and has an entry in mxtally(1) and the README; every long option
# a command's --help names is in mxtally(1); every exit status --help
# names is in the man page's EXIT STATUS. --help is the one list; the
# others are tested against it, both ways: no option, command, exit
# status, server or layout in mxtally(1) or the README that --help does
# not name (the servers and layouts --help lists come from the parsers'
# own tables).
set -u
MXTALLY=${MXTALLY:-./mxtally}
. "$(dirname "$0")/lib.sh"
t_begin docs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$MXTALLY" --help >"$tmp/help" 2>&1 && ok || bad "mxtally --help exit $?"
# roff writes '-' as '\-'; fold it so options can be looked up as typed
sed 's/\\-/-/g; s/\\(em/-/g' mxtally.1 >"$tmp/man"

cmds=$(sed -n '/^commands/,/^$/p' "$tmp/help" | awk 'NF > 1 { print $1 }' | grep -v '^commands')
[ -n "$cmds" ] && ok || bad "no commands listed by --help"
: >"$tmp/allopts"
for c in $cmds; do
	if "$MXTALLY" "$c" --help >"$tmp/c.help" 2>&1 &&
	    grep -q "usage: mxtally.*$c\|usage: mxtally \[report\]" "$tmp/c.help"; then
		ok
	else
		bad "mxtally $c --help: exit or usage line: $(head -2 "$tmp/c.help")"
	fi
	grep -qE "^\.(B|BR|BI) \"?$c\b" "$tmp/man" && ok ||
		bad "mxtally(1) COMMANDS has no entry for '$c'"
	grep -q "mxtally $c\b\|\`$c\`" README.md && ok ||
		bad "README never shows the command '$c'"
	# every long option of the command is in the man page
	for o in $(grep -oE -- '--[a-z][a-z0-9-]+' "$tmp/c.help" | sort -u); do
		grep -qF -- "$o" "$tmp/man" && ok ||
			bad "mxtally $c --help names $o, mxtally(1) does not"
	done
	grep -oE -- '--[a-z][a-z0-9-]+' "$tmp/c.help" >>"$tmp/allopts"
done
sort -u -o "$tmp/allopts" "$tmp/allopts"

# the other way: an option the man page or the README's option table
# names is one some command takes
for o in $(grep -oE -- '--[a-z][a-z0-9-]+' "$tmp/man" | sort -u); do
	grep -qx -- "$o" "$tmp/allopts" && ok ||
		bad "mxtally(1) names $o, no command's --help does"
done
grep '^| `-' README.md >"$tmp/readme.opts"
for o in $(grep -oE -- '--[a-z][a-z0-9-]+' "$tmp/readme.opts" | sort -u); do
	grep -qx -- "$o" "$tmp/allopts" && ok ||
		bad "the README's option table names $o, no --help does"
done
# ... and that table has every option of the report
for o in $("$MXTALLY" report --help | sed -n '/^options:/,/^$/p' |
    grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
	grep -qE -- "(\`| )$o([ \`,]|$)" "$tmp/readme.opts" && ok ||
		bad "report --help names $o, the README's option table does not"
done

# every command mxtally(1) describes is one --help lists
for c in $(awk '/^\.SH COMMANDS/ { f = 1; next } /^\.SH / { f = 0 }
    f && prev == ".TP" { print $2 } { prev = $0 }' "$tmp/man" | tr -d '"'); do
	printf '%s\n' "$cmds" | grep -qx "$c" && ok ||
		bad "mxtally(1) COMMANDS has '$c', mxtally --help does not"
done

# servers and layouts: --help lists them from the parsers' tables; the
# man page's DESCRIPTION and the README's tables name each, and the man
# page's LAYOUTS and the README's layout table name no other
servers=$(sed -n '/^servers:/,/^$/p' "$tmp/help" | sed 's/^servers://; /and in any/,$d' |
    tr ',' '\n' | tr -d ' ' | grep -v '^$')
[ "$(printf '%s\n' "$servers" | wc -l)" -ge 10 ] && ok ||
	bad "--help lists too few servers: $servers"
desc=$(sed -n '/^\.SH DESCRIPTION/,/^\.SH /p' "$tmp/man")
logs=$(sed -n '/^## Supported logs/,/^## /p' README.md)
for s in $servers; do
	printf '%s\n' "$desc" | grep -qiw "$s" && ok ||
		bad "server '$s' is in --help, not in mxtally(1) DESCRIPTION"
	printf '%s\n' "$logs" | grep -qiw "$s" && ok ||
		bad "server '$s' is in --help, not in the README's Supported logs"
done
layouts=$(sed -n '/^layouts:/,/^$/p' "$tmp/help" | sed 's/^layouts://' |
    tr ',' '\n' | tr -d ' ' | grep -v '^$' | sort)
[ "$(printf '%s\n' "$layouts" | wc -l)" -ge 10 ] && ok ||
	bad "--help lists too few layouts: $layouts"
manl=$(awk '/^\.SH LAYOUTS/ { f = 1; next } /^\.SH / { f = 0 }
    f && prev == ".TP" && $1 == ".B" { print $2 } { prev = $0 }' "$tmp/man" |
    grep -vx unknown | sort)
[ "$manl" = "$layouts" ] && ok ||
	bad "mxtally(1) LAYOUTS: $(echo $manl); --help: $(echo $layouts)"
readl=$(sed -n '/^| layout | lines like |/,/^$/p' README.md |
    sed -n 's/^| `\([a-z0-9-]*\)` |.*/\1/p' | sort)
[ "$readl" = "$layouts" ] && ok ||
	bad "README layouts: $(echo $readl); --help: $(echo $layouts)"

# exit statuses: every number in --help's "exit status" paragraph
codes=$(sed -n '/^exit status/,/^$/p' "$tmp/help" | grep -oE '\b[0-9]{1,3}\b' | sort -un)
[ -n "$codes" ] && ok || bad "--help names no exit status"
exits=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH [A-Z]/p' "$tmp/man")
for n in $codes; do
	printf '%s\n' "$exits" | grep -qE "(^\.B $n$|\b$n\b)" && ok ||
		bad "exit status $n is in --help, not in mxtally(1) EXIT STATUS"
done
# ... and every status the man page gives (.B N, and 143 in the text)
for n in $(printf '%s\n' "$exits" | sed -n 's/^\.B \([0-9][0-9]*\)$/\1/p') 143; do
	printf '%s\n' "$codes" | grep -qx "$n" && ok ||
		bad "exit status $n is in mxtally(1), not in mxtally --help"
done
for n in 0 1 2 3 4 5 130 141 143; do
	printf '%s\n' "$codes" | grep -qx "$n" && ok ||
		bad "mxtally --help does not give exit status $n"
done

# the README opens with its title and one sentence, then the two commands
head -1 README.md | grep -q '^# mxtally' && ok || bad "README does not open with its title"
awk '/^```/ { n++; next } n == 1 { print } n == 2 { exit }' README.md >"$tmp/first"
printf 'make demo\nmake check\n' | cmp -s - "$tmp/first" && ok ||
	bad "README's first code block is not exactly 'make demo' and 'make check'"
t_end
