#!/bin/sh
# Runs a real Dovecot on 127.0.0.1 with its mail store on a 1 MiB tmpfs,
# for capturing the lines it logs when the store fills up.
set -eu
D=${D:-/tmp/mxj-dc}
mkdir -p $D/run $D/state $D/log $D/mail
mountpoint -q $D/mail || mount -t tmpfs -o size=1m,mode=1777 tmpfs $D/mail
cat > $D/passwd <<P
alice:{PLAIN}secret::::::
bob:{PLAIN}secret::::::
carol:{PLAIN}secret::::::
dave:{PLAIN}secret::::::userdb_quota_rule=*:storage=150K
P
cat > $D/dovecot.conf <<C
protocols = lmtp pop3 imap
listen = 127.0.0.1
base_dir = $D/run
state_dir = $D/state
log_path = $D/log/dovecot.log
info_log_path = $D/log/dovecot.log
log_timestamp = "%b %d %H:%M:%S "
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$D/mail/%u
first_valid_uid = 1
auth_username_format = %Ln
passdb {
  driver = passwd-file
  args = scheme=PLAIN $D/passwd
}
userdb {
  driver = passwd-file
  args = $D/passwd
  default_fields = uid=nobody gid=nogroup home=$D/mail/%u
}
mail_plugins = quota
plugin {
  quota = maildir:User quota
}
protocol pop3 {
  pop3_lock_session = yes
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = 24201
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 24210
  }
  inet_listener pop3s {
    port = 0
  }
}
service imap-login {
  inet_listener imap {
    port = 24243
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
C
dovecot -c $D/dovecot.conf
