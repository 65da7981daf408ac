"""One request to a running yamorid over its local socket, as yamorictl
makes it (one JSON line each way): shared by the tests that drive a daemon
they started."""
import json
import socket


def ask(sock, req, timeout=10):
    """The answer to req, or None when no whole answer came (the socket is
    gone, the daemon died or did not answer in time). A whole answer that
    is not JSON is a defect and raises."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(sock)
        s.sendall(json.dumps(req).encode() + b"\n")
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    except OSError:
        return None
    finally:
        s.close()
    return json.loads(buf) if buf.endswith(b"\n") else None
