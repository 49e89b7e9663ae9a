#!/bin/sh
# Private throwaway Dovecot 2.3 (Debian 12) for tests, as root or as any user
# (docs: /work/shared/reference/stack-recipes.md §3).
#
# usage: dovecot-test.sh start DIR [IMAP IMAPS POP3 POP3S]
#        dovecot-test.sh stop DIR
#
# Ports come from the arguments, else from DOVECOT_IMAP_PORT, DOVECOT_IMAPS_PORT, DOVECOT_POP3_PORT,
# DOVECOT_POP3S_PORT, else 10143 10993 10110 10995 — pick free ones so parallel runs do not clash.
# DOVECOT_SSL=no starts a plain server: no STARTTLS, no IMAPS/POP3S listeners (their ports unused).
# Listens on 127.0.0.1; users alice/alicepw bob/bobpw; CA file for clients: DIR/cert.pem;
# log: DIR/dovecot.log.
# DOVECOT_OAUTH2_INTROSPECTION_URL=http://user:secret@host:port/introspect adds `passdb oauth2`:
# XOAUTH2 and OAUTHBEARER logins whose token that endpoint says is active for the user.
set -eu
cmd=${1:?usage: dovecot-test.sh start|stop DIR}
mkdir -p "${2:?usage: dovecot-test.sh start|stop DIR}"; D=$(cd "$2" && pwd)
if [ "$cmd" = stop ]; then
  [ -f "$D/run/master.pid" ] || exit 0
  pid=$(cat "$D/run/master.pid"); kill "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  exit 0
fi
[ "$cmd" = start ] || { echo "usage: dovecot-test.sh start|stop DIR" >&2; exit 2; }
IMAP=${3:-${DOVECOT_IMAP_PORT:-10143}}
IMAPS=${4:-${DOVECOT_IMAPS_PORT:-10993}}
POP3=${5:-${DOVECOT_POP3_PORT:-10110}}
POP3S=${6:-${DOVECOT_POP3S_PORT:-10995}}
SSL=${DOVECOT_SSL:-yes}
U=$(id -un); G=$(id -gn)
if [ "$(id -u)" = 0 ]; then
  RUNAS=""; MU=dovecot; MG=dovecot            # package defaults dovenull/dovecot; mail as dovecot
else
  RUNAS="default_internal_user = $U
default_internal_group = $G
default_login_user = $U"; MU=$U; MG=$G        # rootless: everything runs as the caller
fi
[ -f "$D/cert.pem" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 3650 \
  -keyout "$D/key.pem" -out "$D/cert.pem" -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
printf '%s\n' 'alice:{PLAIN}alicepw' 'bob:{PLAIN}bobpw' > "$D/users"
mkdir -p "$D/mail"; if [ "$(id -u)" = 0 ]; then chown "$MU:$MG" "$D/mail"; fi
if [ "$(id -u)" = 0 ] && ! setpriv --reuid=dovecot --regid=dovecot --clear-groups test -r "$D/users"; then
  echo "dovecot-test.sh: $D must be reachable by user dovecot (o+x on every parent)" >&2; exit 1
fi
if [ "$SSL" = no ]; then
  TLS="ssl = no"; IMAPS_LISTENER=""; POP3S_LISTENER=""
else
  TLS="ssl = yes
ssl_cert = <$D/cert.pem
ssl_key = <$D/key.pem"
  IMAPS_LISTENER="inet_listener imaps {
    port = $IMAPS
    ssl = yes
  }"
  POP3S_LISTENER="inet_listener pop3s {
    port = $POP3S
    ssl = yes
  }"
fi
MECHANISMS="plain login"; OAUTH2_PASSDB=""
if [ -n "${DOVECOT_OAUTH2_INTROSPECTION_URL:-}" ]; then
  MECHANISMS="plain login xoauth2 oauthbearer"
  cat > "$D/oauth2.conf.ext" <<OAUTH
introspection_mode = post
introspection_url = $DOVECOT_OAUTH2_INTROSPECTION_URL
username_attribute = username
active_attribute = active
active_value = true
OAUTH
  OAUTH2_PASSDB="passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $D/oauth2.conf.ext
}"
fi
rm -rf "$D/run"          # a stale anvil-auth-penalty socket stalls auth for 5 s
cat > "$D/dovecot.conf" <<CONF
base_dir = $D/run
state_dir = $D/state
instance_name = dovecot-test-$(echo "$D" | cksum | cut -d' ' -f1)
protocols = imap pop3
listen = 127.0.0.1
log_path = $D/dovecot.log
$TLS
disable_plaintext_auth = no
auth_mechanisms = $MECHANISMS
auth_failure_delay = 0
$RUNAS
passdb {
  driver = passwd-file
  args = scheme=PLAIN $D/users
}
$OAUTH2_PASSDB
userdb {
  driver = static
  args = uid=$MU gid=$MG home=$D/mail/%u
}
first_valid_uid = 1
mail_location = maildir:~/Maildir
# UIDL as uidvalidity+uid: stable across sessions, changes when the mailbox is recreated
pop3_uidl_format = %08Xv%08Xu
service anvil {
  chroot =
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service imap-login {
  chroot =
  inet_listener imap {
    port = $IMAP
  }
  $IMAPS_LISTENER
}
service pop3-login {
  chroot =
  inet_listener pop3 {
    port = $POP3
  }
  $POP3S_LISTENER
}
CONF
/usr/sbin/dovecot -c "$D/dovecot.conf"
