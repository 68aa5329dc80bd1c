#!/usr/bin/env python3
"""Records what QEMU's own QMP monitor answers, for vmm-core's QmpAnswersAsQemu.

    scripts/qmp-transcript.py SESSION OUT.json     (SESSION: 1, 2 or 3)

Starts qemu-system-x86_64 -M none -display none -nodefaults -S with a monitor (sessions 1, 2: a
Unix socket; 3: stdio), sends each input of the session as one write, and records every line
QEMU writes within 0.4 s (the first entry, send null, is the greeting). Needs Debian's
qemu-system-x86 (QEMU 7.2).
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

SESSIONS = {
    1: [
        "{\"execute\":\"query-status\"}",
        "{\"execute\":\"query-status\",\"id\":1}",
        "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]}}",
        "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"bogus\"]}}",
        "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"foo\":1}}",
        "{\"execute\":\"qmp_capabilities\",\"id\":{\"a\":[1,2]}}",
        "{\"execute\":\"qmp_capabilities\"}",
        "{\"execute\":\"query-status\",\"id\":\"x\"}",
        "{\"execute\":\"nosuch\",\"id\":3}",
        "{\"execute\":\"query-status\",\"arguments\":{\"x\":1}}",
        "{\"execute\":\"query-status\",\"arguments\":[]}",
        "{\"execute\":1}",
        "{\"execute\":\"query-status\",\"foo\":1}",
        "{\"arguments\":{}}",
        "[1,2]",
        "{\"execute\":\"query-name\"}",
        "{\"execute\":\"query-kvm\"}",
        "{\"execute\":\"query-version\"}",
        "{\"execute\":\"device_del\",\"arguments\":{\"id\":\"nope\"}}",
        "{\"execute\":\"device_del\"}",
        "{\"execute\":\"device_del\",\"arguments\":{\"id\":5}}",
        "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"nosuchdev\"}}",
        "{\"execute\":\"device_add\",\"arguments\":{}}",
        "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info nosuch\"}}",
        "{\"execute\":\"human-monitor-command\",\"arguments\":{}}",
        "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"nosuchcmd\"}}",
        "{\"execute\":\"screendump\",\"arguments\":{}}",
        "{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"screen.ppm\"}}",
        "{\"execute\":\"x-nosuch\"}",
        "{\"execute\":\"query-pci\"}",
        "{\"execute\":\"stop\"}",
        "{\"execute\":\"query-status\"}",
        "{\"execute\":\"cont\"}",
        "{\"execute\":\"query-status\"}",
        "{\"execute\":\"stop\"}",
        "{\"execute\":\"system_reset\"}",
        "{\"execute\":\"query-status\",\"id\":true}{\"execute\":\"query-status\",\"id\":null}",
        "{\"execute\":\"query-status\",\n \"id\":\n 2.5}\n",
        "{\"execute\":\"qmp_capabilities\"}",
        "{\"execute\" \"qmp\"}",
        "{\"execute\":\"query-status\"}",
        "\"string\"",
        "{\"execute\":\"query-commands\"}",
        "{\"execute\":\"system_powerdown\"}",
        "{\"execute\":\"quit\"}"
],
    2: [
        "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":\"oob\"}}",
        "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\",\"oob\"]}}",
        "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]}}",
        "{\"execute\":\"query-status\",\"arguments\":{\"x\":1},\"id\":7}",
        "{\"execute\":\"device_del\",\"id\":\"d\"}",
        "{\"execute\":\"nosuch\",\"arguments\":{\"a\":1},\"id\":[null]}",
        "{\"execute\":\"query-status\",\"id\":\"a\"",
        "}",
        "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info pci\"}}",
        "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info mtree -f\"}}",
        "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info mtree\"}}",
        "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"\"}}",
        "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info\"}}",
        "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":5}}",
        "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info pci\",\"cpu-index\":0}}",
        "{\"execute\":\"screendump\",\"arguments\":{\"filename\":7}}",
        "{\"execute\":\"query-status\",\"arguments\":null}",
        "{\"execute\":\"stop\",\"id\":\"s1\"}",
        "{\"execute\":\"cont\",\"id\":\"c1\"}",
        "{\"execute\":\"cont\",\"id\":\"c2\"}",
        "{\"execute\":\"stop\",\"id\":\"s2\"}",
        "{\"execute\":\"stop\",\"id\":\"s3\"}",
        "{\"execute\":\"system_reset\",\"id\":\"r\"}",
        "{\"execute\":\"query-status\",\"id\":\"q\"}",
        "{\"execute\":\"query-pci\",\"id\":\"p\"}",
        "{\"execute\":\"system_powerdown\",\"id\":\"pd\"}",
        "{\"execute\":\"x-query-iommu\"}",
        "{\"execute\":\"query-commands\",\"id\":\"qc\"}",
        "{\"execute\":\"quit\",\"id\":\"end\"}"
],
    3: [
        "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]}}",
        "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[]}}",
        "{\"exec-oob\":\"query-status\",\"id\":1}",
        "{\"execute\":\"query-status\",\"control\":{}}",
        "xyz",
        " ",
        "\"abc\"",
        "42",
        "}"
],
}
QEMU = ["qemu-system-x86_64", "-M", "none", "-display", "none", "-nodefaults", "-S"]


def lines(read, wait):
    """Every complete line that arrives within `wait` seconds of the last one."""
    buf = b""
    deadline = time.time() + wait
    while time.time() < deadline:
        chunk = read(max(0.0, deadline - time.time()))
        if chunk:
            buf += chunk
            deadline = time.time() + wait
    return [l.decode().rstrip("\r") for l in buf.split(b"\n") if l]


def main():
    session, out = int(sys.argv[1]), sys.argv[2]
    transcript = []
    if session in (1, 2):
        path = os.path.join(tempfile.mkdtemp(), "qmp.sock")
        qemu = subprocess.Popen(QEMU + ["-qmp", "unix:%s,server=on,wait=off" % path])
        while not os.path.exists(path):
            time.sleep(0.05)
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)

        def read(timeout):
            s.settimeout(timeout)
            try:
                return s.recv(65536)
            except (socket.timeout, OSError):
                return b""
        write = lambda text: s.sendall(text.encode())
    else:
        qemu = subprocess.Popen(QEMU + ["-qmp", "stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        os.set_blocking(qemu.stdout.fileno(), False)

        def read(timeout):
            time.sleep(min(timeout, 0.05))
            return qemu.stdout.read() or b""

        def write(text):
            qemu.stdin.write(text.encode())
            qemu.stdin.flush()
    transcript.append({"send": None, "recv": lines(read, 0.5)})
    for text in SESSIONS[session]:
        write(text)
        transcript.append({"send": text, "recv": lines(read, 0.4)})
    qemu.kill()
    with open(out, "w") as f:
        json.dump(transcript, f, indent=1)


if __name__ == "__main__":
    main()
