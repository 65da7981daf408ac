#!/usr/bin/python3
"""A real RTSP server for test_audit.py: GStreamer's gst-rtsp-server library
(Debian's libgstrtspserver-1.0-0, through python3-gi), serving a test video
at rtsp://ADDRESS:PORT/ behind Basic or Digest authentication, as a camera
does. Only this launcher is ours; the RTSP protocol, the authentication and
the 401 challenges are the library's.

    audit_rtsp_server.py ADDRESS PORT basic|digest USER PASSWORD
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402


def main():
    address, port, method, user, password = sys.argv[1:6]
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address(address)
    server.set_service(port)

    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch("( videotestsrc is-live=true ! video/x-raw,width=160,height=120 "
                       "! rtpvrawpay name=pay0 pt=96 )")
    factory.set_shared(True)
    permissions = GstRtspServer.RTSPPermissions()
    permissions.add_permission_for_role("user", "media.factory.access", True)
    permissions.add_permission_for_role("user", "media.factory.construct", True)
    factory.set_permissions(permissions)
    server.get_mount_points().add_factory("/", factory)

    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", "user")
    if method == "digest":
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        auth.add_digest(user, password, token)
    else:
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
        auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
    server.set_auth(auth)

    if server.attach(None) == 0:
        sys.exit("cannot listen on %s:%s" % (address, port))
    print("ready", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
