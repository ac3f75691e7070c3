#!/bin/sh
# What tests/realservers needs, installed when missing (called by
# .ci/deps test). Safe to run again; quiet when all is present.
#
# Debian's MTAs conflict as packages, so Postfix is installed with apt
# (debconf "No configuration": no /etc/postfix/main.cf, nothing started),
# and Exim and OpenSMTPD are fetched with `apt-get download` and unpacked
# with `dpkg-deb -x` into build/realservers/pkgs/root, from where the
# tests run them beside it. Their shared libraries are ordinary packages.
set -e
cd "$(dirname "$0")/../.."
pkgs="dovecot-core dovecot-pop3d dovecot-imapd dovecot-lmtpd postfix
libgnutls-dane0 libidn12 libnsl2 libevent-2.1-7 libdb5.3 util-linux python3
gzip zstd openssl perl sasl2-bin libsasl2-modules libclamav12 libcom-err2
libcourier-unicode4 libgamin0 libgdbm6 libical3 libicu72 libjansson4 libkrb5-3
libldap-2.5-0 libltdl7 libpcre3 libpq5 libsasl2-2 libsqlite3-0 libwrap0
libxapian30 libxml2 libzephyr4"
fetch="exim4-daemon-light exim4-base opensmtpd"
# Courier and Cyrus conflict with Dovecot's pop3d and imapd: unpacked
# apart, each in its own directory
cfetch="courier-imap courier-pop courier-base courier-authdaemon courier-authlib
courier-authlib-userdb"
yfetch="cyrus-common cyrus-imapd cyrus-pop3d"
cache=build/realservers/pkgs

# the users the unpacked packages' postinst would have made (Exim's
# binary looks its compiled-in user up before reading any configuration)
if [ "$(id -u)" = 0 ]; then
	getent passwd Debian-exim >/dev/null ||
		adduser --system --group --quiet --no-create-home --allow-bad-names \
			--home /var/spool/exim4 Debian-exim
	getent passwd cyrus >/dev/null ||
		adduser --system --quiet --ingroup mail --no-create-home \
			--home /var/spool/cyrus --disabled-password cyrus
	for u in opensmtpd opensmtpq; do
		getent passwd $u >/dev/null ||
			adduser --system --group --quiet --no-create-home \
				--home /var/lib/opensmtpd/empty $u
	done
fi

missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
need_fetch=""
for p in $fetch; do
	ls "$cache/$p"_*.deb >/dev/null 2>&1 || need_fetch="$need_fetch $p"
done
for p in $cfetch; do
	ls "$cache/courier-debs/$p"_*.deb >/dev/null 2>&1 || need_fetch="$need_fetch $p"
done
for p in $yfetch; do
	ls "$cache/cyrus-debs/$p"_*.deb >/dev/null 2>&1 || need_fetch="$need_fetch $p"
done
[ -z "$missing$need_fetch" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "realservers: run as root, or install:$missing$need_fetch" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ -n "$missing" ]; then
	echo "realservers: installing:$missing" >&2
	# Dovecot's postinst starts the system's Dovecot through invoke-rc.d
	# where no systemd runs (a container): a policy-rc.d that refuses,
	# for this install only, unless the machine has one of its own
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	echo "postfix postfix/main_mailer_type select No configuration" |
		debconf-set-selections
	apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
		$missing >/dev/null || {
		apt-get update -qq
		apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
			--no-install-recommends $missing >/dev/null
	}
fi
if [ -n "$need_fetch" ]; then
	echo "realservers: fetching:$need_fetch" >&2
	mkdir -p "$cache"
	# apt's sandbox user cannot write here; fetch in a temporary directory
	tmp=$(mktemp -d)
	chmod 755 "$tmp"
	(cd "$tmp" && apt-get download $need_fetch >/dev/null 2>&1) || {
		apt-get update -qq
		(cd "$tmp" && apt-get download $need_fetch >/dev/null)
	}
	mkdir -p "$cache/courier-debs" "$cache/cyrus-debs"
	mv "$tmp"/courier-*.deb "$cache/courier-debs/" 2>/dev/null || :
	mv "$tmp"/cyrus-*.deb "$cache/cyrus-debs/" 2>/dev/null || :
	mv "$tmp"/*.deb "$cache"/ 2>/dev/null || :
	rmdir "$tmp"
	rm -rf "$cache/root" "$cache/courier" "$cache/cyrus"
fi
if [ ! -d "$cache/root" ]; then
	for d in "$cache"/*.deb; do
		dpkg-deb -x "$d" "$cache/root"
	done
fi
for sys in courier cyrus; do
	[ -d "$cache/$sys" ] && continue
	for d in "$cache/$sys"-debs/*.deb; do
		dpkg-deb -x "$d" "$cache/$sys"
	done
done
