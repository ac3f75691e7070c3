#!/bin/sh
# The help, the man page and the README say the same: every command that
# `mxtally --help` lists answers --help itself (exit 0, its own usage
# line) and has an entry in mxtally(1) and the README; every long option
# a command's --help names is in mxtally(1); every exit status --help
# names is in the man page's EXIT STATUS. --help is the one list; the
# others are tested against it.
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
done

# exit statuses: every number in --help's "exit status" paragraph
codes=$(sed -n '/^exit status/,/^$/p' "$tmp/help" | grep -oE '\b[0-9]{1,3}\b' | sort -un)
[ -n "$codes" ] && ok || bad "--help names no exit status"
exits=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH [A-Z]/p' "$tmp/man")
for n in $codes; do
	printf '%s\n' "$exits" | grep -qE "(^\.B $n$|\b$n\b)" && ok ||
		bad "exit status $n is in --help, not in mxtally(1) EXIT STATUS"
done

# the README opens with its title and one sentence, then the two commands
head -1 README.md | grep -q '^# mxtally' && ok || bad "README does not open with its title"
awk '/^```/ { n++; next } n == 1 { print } n == 2 { exit }' README.md >"$tmp/first"
printf 'make demo\nmake check\n' | cmp -s - "$tmp/first" && ok ||
	bad "README's first code block is not exactly 'make demo' and 'make check'"
t_end
