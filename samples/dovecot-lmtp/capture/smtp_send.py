#!/usr/bin/env python3
"""Submit messages to the test Postfix over SMTP (null sender: no bounces)."""
import smtplib, sys, time
port = int(sys.argv[1]); n = int(sys.argv[2]); size = int(sys.argv[3])
rcpts = sys.argv[4].split(",")
body = ("x" * 76 + "\r\n") * (size // 78)
for i in range(n):
    s = smtplib.SMTP("127.0.0.1", port)
    mid = "<t%d.%d@example.net>" % (i, time.time_ns())
    msg = "From: sender@example.net\r\nTo: %s\r\nMessage-ID: %s\r\nSubject: fill %d\r\n\r\n%s" % (", ".join(rcpts), mid, i, body)
    print(time.strftime("%H:%M:%S"), i, mid, s.sendmail("", rcpts, msg), flush=True)
    s.quit()
