"""The baseline of ``bench/fanout.py``: Flask-SocketIO and nothing else.

Same stack and settings as ``kiosk serve`` (gevent + gevent-websocket, ``/display``
namespace, compact UTF-8 JSON, same-origin CORS, and the real server's engine.io ping
interval/timeout, passed by the bench), but no database, no
scheduler, no state builder: a client is accepted when its ``auth.token`` equals the one
given on the command line, joins one room, and gets the captured on-connect ``state``.
``POST /broadcast`` with ``{"index": k}`` emits the k-th captured ``state`` payload to that
room, so each broadcast carries exactly the bytes the real server sent. The payloads come
from a file at start and/or ``POST /payload`` ``{"index": k, "state": "<JSON text>"}``
(sent by the bench before, and outside, the timed broadcast).

    python bench/bare_server.py --port 8123 --payloads payloads.json --token SECRET

``payloads.json`` = ``{"connect": "<state JSON text>", "broadcasts": ["<state JSON text>", ...]}``
(``broadcasts`` optional)
(the JSON text of the state object as it appeared in the real server's frames).
The process exits on SIGTERM/SIGINT, and by itself after ``--max-seconds``.
"""

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

import gevent  # noqa: E402
from flask import Flask, jsonify, request  # noqa: E402
from flask_socketio import ConnectionRefusedError, SocketIO, emit, join_room  # noqa: E402

NAMESPACE = "/display"
ROOM = "bench"


class CompactJson:
    """The same encoder settings as ``kiosk`` (UTF-8, no spaces): identical bytes on the wire."""

    @staticmethod
    def dumps(obj, *args, **kwargs):
        kwargs.setdefault("ensure_ascii", False)
        kwargs.setdefault("separators", (",", ":"))
        return json.dumps(obj, *args, **kwargs)

    loads = staticmethod(json.loads)


def create(
    payloads: dict, token: str, ping_interval: float = 25, ping_timeout: float = 20
) -> tuple[Flask, SocketIO]:
    connect_state = json.loads(payloads["connect"])
    broadcasts = dict(enumerate(json.loads(text) for text in payloads.get("broadcasts", [])))
    app = Flask(__name__)
    socketio = SocketIO(
        app,
        async_mode="gevent",
        cors_allowed_origins=[],
        ping_interval=ping_interval,
        ping_timeout=ping_timeout,
        json=CompactJson,
    )

    @socketio.on("connect", namespace=NAMESPACE)
    def on_connect(auth=None):
        if not isinstance(auth, dict) or auth.get("token") != token:
            raise ConnectionRefusedError({"code": "token_unknown", "message": "unknown token"})
        join_room(ROOM)
        emit("state", connect_state)

    @socketio.on("heartbeat", namespace=NAMESPACE)
    def on_heartbeat(data=None):
        return {"ok": True}

    @app.get("/readyz")
    def readyz():
        return jsonify({"status": "ok"})

    @app.post("/payload")
    def payload():
        body = request.get_json(force=True)
        broadcasts[int(body["index"])] = json.loads(body["state"])
        return jsonify({"ok": True})

    @app.post("/broadcast")
    def broadcast():
        index = int((request.get_json(silent=True) or {}).get("index", 0))
        if index not in broadcasts:
            return jsonify({"error": f"no payload {index}"}), 404
        socketio.emit("state", broadcasts[index], to=ROOM, namespace=NAMESPACE)
        return jsonify({"ok": True, "index": index})

    return app, socketio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--payloads", required=True, help="JSON file: {connect, broadcasts}")
    parser.add_argument("--token", required=True, help="the one auth token accepted")
    parser.add_argument("--max-seconds", type=float, default=3600, help="exit by itself after this")
    parser.add_argument("--ping-interval", type=float, default=25, help="as the real server's")
    parser.add_argument("--ping-timeout", type=float, default=20, help="as the real server's")
    args = parser.parse_args()
    with open(args.payloads, encoding="utf-8") as fh:
        payloads = json.load(fh)
    app, socketio = create(payloads, args.token, args.ping_interval, args.ping_timeout)

    def stop(signum, frame):
        os._exit(0)  # nothing to flush; exit at once even with thousands of open sockets

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    gevent.spawn_later(args.max_seconds, os._exit, 3)
    print(
        f"bare server on http://{args.host}:{args.port} (pid {os.getpid()})",
        file=sys.stderr,
        flush=True,
    )
    socketio.run(app, host=args.host, port=args.port, log_output=False, use_reloader=False)


if __name__ == "__main__":
    main()
