#!/usr/bin/env python3
"""IMAP APPEND and POP3 sessions against the full store; prints what the
client was told (ground truth)."""
import imaplib, poplib, sys, time
def stamp(): return time.strftime("%H:%M:%S")
user = sys.argv[1]
m = imaplib.IMAP4("127.0.0.1", 24243)
print(stamp(), "IMAP LOGIN", m.login(user, "secret"), flush=True)
for i in range(int(sys.argv[2])):
    msg = ("Subject: a%d\r\n\r\n" % i + ("y" * 76 + "\r\n") * 2000).encode()
    try:
        print(stamp(), "IMAP APPEND", m.append("INBOX", None, None, msg), flush=True)
    except Exception as e:
        print(stamp(), "IMAP APPEND EXC", repr(e), flush=True)
try:
    print(stamp(), "IMAP CREATE", m.create("Archive%d" % time.time_ns()), flush=True)
except Exception as e:
    print(stamp(), "IMAP CREATE EXC", repr(e), flush=True)
m.logout()
p = poplib.POP3("127.0.0.1", 24210)
p.user(user)
try:
    print(stamp(), "POP3 PASS", p.pass_(b"secret" if False else "secret"), flush=True)
    print(stamp(), "POP3 STAT", p.stat(), flush=True)
    print(stamp(), "POP3 DELE", p.dele(1), flush=True)
    print(stamp(), "POP3 QUIT", p.quit(), flush=True)
except Exception as e:
    print(stamp(), "POP3 EXC", repr(e), flush=True)
