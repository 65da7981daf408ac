#!/usr/bin/env python3
"""Badly behaved servers for test_audit.py, each on its own port of one
address: what a broken or hostile device may do to an auditor. Each
conversation is bounded (a few seconds, at most 4 MB sent) and the process
ends by itself after --lifetime seconds.

    audit_hostile_server.py ADDRESS [--lifetime S] [--cert CRT --key KEY]

  22, 23  silent: accept, never say a word
  2323    garbage: random bytes as fast as the peer reads
  80      garbage
  554     garbage
  81      early close: accept and close at once
  8081    reset: accept and reset (SO_LINGER 0)
  21      early close after half an FTP banner
  8000    slow drip: a valid HTTP status line, then one byte a second
  8080    endless headers: "HTTP/1.1 200 OK" then header lines, fast
  8554    an RTSP 401 whose challenge never ends
  8443    garbage where HTTPS is expected
  443     a proper TLS handshake, then endless headers inside TLS (only
          with --cert and --key)
"""
import argparse
import asyncio
import os
import socket
import ssl
import struct

LIMIT = 4 * 1024 * 1024


async def silent(reader, writer):
    await asyncio.sleep(120)


GARBAGE = os.urandom(16384)


async def garbage(reader, writer):
    # One block made once: a loaded machine must not be slowed further by
    # the test's own random numbers.
    sent = 0
    while sent < LIMIT:
        writer.write(GARBAGE)
        sent += 16384
        await writer.drain()


async def early_close(reader, writer):
    pass


async def reset(reader, writer):
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


async def half_ftp(reader, writer):
    writer.write(b"220-Welcome to")
    await writer.drain()


async def slow_drip(reader, writer):
    writer.write(b"HTTP/1.1 401 Unauthorized\r\n")
    for _ in range(120):
        await writer.drain()
        await asyncio.sleep(1)
        writer.write(b"X")


async def endless_headers(reader, writer):
    writer.write(b"HTTP/1.1 200 OK\r\n")
    sent = 0
    while sent < LIMIT:
        writer.write(b"X-Padding: " + b"y" * 50 + b"\r\n")
        sent += 63
        if sent % 8192 < 63:
            await writer.drain()


async def endless_challenge(reader, writer):
    await reader.read(1024)
    writer.write(b"RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\n"
                 b"WWW-Authenticate: Digest realm=\"")
    sent = 0
    while sent < LIMIT:
        writer.write(b"a" * 4096)
        sent += 4096
        await writer.drain()


HANDLERS = {22: silent, 23: silent, 2323: garbage, 80: garbage, 554: garbage,
            8443: garbage, 81: early_close, 8081: reset, 21: half_ftp, 8000: slow_drip,
            8080: endless_headers, 8554: endless_challenge}


def wrap(handler):
    async def run(reader, writer):
        try:
            await asyncio.wait_for(handler(reader, writer), 130)
        except (OSError, asyncio.TimeoutError, ConnectionError):
            pass
        finally:
            writer.close()
    return run


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("address")
    ap.add_argument("--lifetime", type=float, default=600)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    args = ap.parse_args()
    servers = [await asyncio.start_server(wrap(h), args.address, port)
               for port, h in HANDLERS.items()]
    if args.cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.cert, args.key)
        servers.append(await asyncio.start_server(wrap(endless_headers), args.address, 443,
                                                  ssl=tls))
    print("ready", flush=True)
    await asyncio.sleep(args.lifetime)
    for s in servers:
        s.close()


if __name__ == "__main__":
    asyncio.run(main())
