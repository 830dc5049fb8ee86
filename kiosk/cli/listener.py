"""The HTTP/WebSocket server of ``kiosk serve``, on a socket tuned to find dead screens.

A screen whose cable is pulled or whose power is cut sends no TCP close: the server only
learns it is gone when a packet it sends goes unanswered. Engine.IO's own pings would find it
after ``ping_interval + ping_timeout`` (45 s), and shrinking those costs a greenlet and a
timer per ping in Python and drops healthy screens while an alert fan-out keeps the server
busy (docs/benchmarks.md, finding 0). The kernel can do the probing instead, for nothing:
keep-alive probes every second on an idle connection, and ``TCP_USER_TIMEOUT`` closing it
once nothing was heard for ``DEAD_PEER_SECONDS`` — with or without data in flight. The
greenlet reading the socket then fails, Socket.IO runs the namespace's disconnect handler,
and the staff panel shows the screen offline within a few seconds (issue 4: ≤ 5 s).

Accepted sockets inherit these options from the listening socket (Linux copies them on
``accept``); ``tests/test_dead_peer.py`` checks both that and the whole path with a real cut.
Behind a reverse proxy the proxy is the server's peer: give its listening socket the same
probing (nginx: ``listen … so_keepalive=1s:1s:3``), see docs/operations.md.
"""

from __future__ import annotations

import logging
import socket

from flask import Flask

log = logging.getLogger(__name__)


def tune_dead_peer(sock: socket.socket, seconds: int) -> None:
    """Probe idle connections every second and give up after ``seconds`` of silence.

    ``seconds`` ≤ 0 leaves the operating system's defaults (hours). Options a platform lacks
    are skipped: only Linux has ``TCP_USER_TIMEOUT``, and there keep-alive alone would need
    idle + count × interval seconds.
    """
    if seconds <= 0:
        return
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    options = (
        ("TCP_KEEPIDLE", 1),  # seconds of silence before the first probe
        ("TCP_KEEPINTVL", 1),  # seconds between probes
        ("TCP_KEEPCNT", max(1, int(seconds))),  # unanswered probes before the close
        ("TCP_USER_TIMEOUT", int(seconds * 1000)),  # ms unanswered, also with data in flight
    )
    for name, value in options:
        option = getattr(socket, name, None)
        if option is None:
            log.info("%s is not available here: dead screens are found more slowly", name)
            continue
        sock.setsockopt(socket.IPPROTO_TCP, option, value)


def origin_checked_handler(app: Flask):
    """gevent-websocket answers the WebSocket handshake (101) *before* the app runs, so
    Engine.IO's own origin check could only close an already opened socket. This handler
    refuses the upgrade itself (403) for a page of another origin, with the app's rule
    (``kiosk._origin_check``)."""
    from geventwebsocket.handler import WebSocketHandler

    allowed = app.extensions["kiosk.origin_check"]

    class OriginCheckedHandler(WebSocketHandler):
        def upgrade_websocket(self):
            if self.environ.get("HTTP_UPGRADE", "").lower() == "websocket" and not allowed(
                    self.environ.get("HTTP_ORIGIN"), self.environ):
                self.start_response("403 Forbidden", [("Content-Type", "text/plain")])
                return [b"Not an accepted origin."]
            return super().upgrade_websocket()

    return OriginCheckedHandler


def make_server(app: Flask, host: str, port: int, dead_peer_seconds: int):
    """What ``socketio.run`` builds in gevent mode (pywsgi + gevent-websocket, no access log),
    with the listening socket tuned before the first screen connects."""
    from gevent import pywsgi

    server = pywsgi.WSGIServer((host, port), app, handler_class=origin_checked_handler(app), log=None)
    server.init_socket()  # binds now; start() keeps this socket
    tune_dead_peer(server.socket, dead_peer_seconds)
    no_delay(server.socket)
    return server


def no_delay(sock: socket.socket) -> None:
    """Send small answers at once (accepted sockets inherit it): pywsgi writes headers and body
    in two sends, and with Nagle's algorithm the second waits for the client's delayed ACK, so
    every answer on a kept-alive connection (an API client, the kiosk's search) took 40 ms."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
