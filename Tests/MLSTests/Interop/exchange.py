"""Message exchange with the Swift side of the MLS interop test over the process's standard input
and output: one line per message, "NAME HEX". A failure is reported as "error HEX" (its text)."""
import sys


def wait(name):
    line = sys.stdin.readline()
    if not line:
        raise EOFError("the Swift side closed the exchange before sending " + name)
    got, _, payload = line.strip().partition(" ")
    if got != name:
        raise ValueError("expected " + name + ", got " + got)
    return bytes.fromhex(payload)


def put(name, data):
    sys.stdout.write(name + " " + bytes(data).hex() + "\n")
    sys.stdout.flush()


def run(scenario):
    try:
        scenario()
    except BaseException as error:
        put("error", repr(error).encode())
        raise
