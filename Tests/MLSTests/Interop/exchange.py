"""File exchange with the Swift side of the MLS interop test: each message is a file, and a
second empty file NAME.done says it is complete. Errors are reported in a file named error."""
import os, sys, time

DIRECTORY = sys.argv[1]


def wait(name, timeout=60.0):
    path = os.path.join(DIRECTORY, name)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path + ".done"):
            with open(path, "rb") as handle:
                return handle.read()
        time.sleep(0.02)
    raise TimeoutError("no " + name)


def put(name, data):
    path = os.path.join(DIRECTORY, name)
    with open(path, "wb") as handle:
        handle.write(data)
    open(path + ".done", "wb").close()


def run(scenario):
    try:
        scenario()
    except BaseException as error:
        put("error", repr(error).encode())
        raise
