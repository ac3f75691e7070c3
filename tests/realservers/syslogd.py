"""A small syslog listener for the real-server tests.

It binds a unix datagram socket (the daemons reach it as /dev/log inside
their own mount namespace), takes each record as glibc's syslog(3) sends
it ("<PRI>Mmm dd hh:mm:ss ident[pid]: text") and writes it three ways:

  syslog.3164.log   RFC 3164 stamp, as rsyslog's traditional file format
  syslog.3339.log   RFC 3339 stamp with microseconds, as rsyslog's
                    high-precision format
  journal.log       what `journalctl -o short-iso` prints for the record
                    (systemd 252 as in Debian 12: "+0000" offset, and the
                    identifier followed by the sender's pid, taken from
                    SCM_CREDENTIALS as journald does); produced here, not
                    by journald, since no journald runs in the container

Only records with the mail facility are written (as /var/log/mail.log).
"""

import os
import re
import socket
import struct
import threading
import time

RECORD = re.compile(rb"^<(\d+)>([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) ?(.*)$", re.S)
TAG = re.compile(rb"^([^\s:\[]+)(?:\[(\d+)\])?: ?(.*)$", re.S)
FAC_MAIL = 2


class Syslog:
    def __init__(self, sockpath, outdir, host):
        self.sockpath = sockpath
        self.host = host.encode()
        self.files = {
            "syslog-3164": open(os.path.join(outdir, "syslog.3164.log"), "wb"),
            "syslog-3339": open(os.path.join(outdir, "syslog.3339.log"), "wb"),
            "journal-short-iso": open(os.path.join(outdir, "journal.log"), "wb"),
        }
        self.paths = {k: f.name for k, f in self.files.items()}
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(sockpath)
        os.chmod(sockpath, 0o666)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.settimeout(0.2)
        self.records = 0
        self.stop = False
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stop:
            try:
                data, anc, _, _ = self.sock.recvmsg(65536, socket.CMSG_SPACE(12))
            except socket.timeout:
                continue
            except OSError:
                break
            pid = None
            for level, kind, cdata in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                    pid = struct.unpack("iII", cdata[:12])[0]
            self.write(data, pid)

    def write(self, data, credpid):
        now = time.time()
        m = RECORD.match(data.rstrip(b"\n\0"))
        if not m:
            return
        pri = int(m.group(1))
        if pri >> 3 != FAC_MAIL:
            return
        rest = m.group(3)
        t = m.group(2)
        frac = "%06d" % int((now % 1) * 1e6)
        tm = time.localtime(now)
        iso = time.strftime("%Y-%m-%dT%H:%M:%S", tm)
        off = time.strftime("%z", tm)
        f = self.files
        f["syslog-3164"].write(t + b" " + self.host + b" " + rest + b"\n")
        f["syslog-3339"].write(("%s.%s%s:%s " % (iso, frac, off[:3], off[3:])).encode()
                               + self.host + b" " + rest + b"\n")
        tg = TAG.match(rest)
        if tg:
            pid = tg.group(2) or (str(credpid).encode() if credpid else None)
            ident = tg.group(1) + (b"[" + pid + b"]" if pid else b"")
            jline = ident + b": " + tg.group(3)
        else:
            jline = rest
        f["journal-short-iso"].write(("%s%s " % (iso, off)).encode() + self.host
                                     + b" " + jline + b"\n")
        self.records += 1
        for fh in f.values():
            fh.flush()

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()
        for fh in self.files.values():
            fh.close()
