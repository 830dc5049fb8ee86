/*
 * Screen page, part 6 of 7: talking to the server. States come over Socket.IO (/display) or,
 * when the socket is silently broken, from polling GET /screen/<token>/state every <= 60 s.
 * The screen reports what it shows in a heartbeat (<= 15 s). A refused or dropped socket is
 * retried with jittered back-off while the rotation goes on from the last state.
 *
 * A mirror (K.MIRROR, the staff panel's preview) connects with auth.mirror so the server
 * does not count it as the screen, sends no heartbeats and registers no service worker.
 */
(function (K) {
  'use strict';

  var socket = null;
  var connected = false;
  var retryTimer = null;
  var retryCount = 0;

  K.online = function () { return connected; };
  K.socket = function () { return socket; };

  K.setOnline = function (value) {
    var connDot = K.connDot;
    connected = !!value;
    if (connDot) {
      connDot.setAttribute('data-online', connected ? 'true' : 'false');
      connDot.title = connected ? '已连接' : '离线：继续播放本地内容';
    }
  };

  K.heartbeat = function () {
    if (K.MIRROR) return; // a watcher must not report as the screen
    if (socket && socket.connected) {
      socket.emit('heartbeat', { version: K.state ? K.state.version : null, showing: K.showing() });
    }
  };

  function retryLater() {
    // The server refused us (bad/revoked token) or dropped us: Socket.IO will not retry by
    // itself then, so back off (jittered) and try again; rotation goes on meanwhile.
    clearTimeout(retryTimer);
    var base = Math.min(300000, 5000 * Math.pow(2, retryCount++));
    retryTimer = setTimeout(function () {
      if (socket && !socket.connected) socket.connect();
    }, base * (0.5 + Math.random()));
  }

  K.connect = function () {
    if (typeof window.io !== 'function') { K.setOnline(false); return; }
    var auth = { token: K.TOKEN };
    if (K.MIRROR) auth.mirror = true;
    socket = window.io('/display', {
      auth: auth,
      transports: ['websocket'],
      reconnectionDelay: 1000,
      reconnectionDelayMax: 30000,
      randomizationFactor: 0.5
    });
    socket.on('connect', function () {
      retryCount = 0;
      clearTimeout(retryTimer);
      K.setOnline(true);
      K.heartbeat();
    });
    socket.on('disconnect', function (reason) {
      K.setOnline(false);
      if (reason === 'io server disconnect') retryLater();
    });
    socket.on('connect_error', function (err) {
      K.setOnline(false);
      if (window.console) console.warn('kiosk screen: connect_error', err && (err.data && err.data.code || err.message));
      if (!socket.active) retryLater();
    });
    socket.on('state', function (st) {
      K.apply(st, Date.now());
      K.heartbeat();
    });
    // Staff panel (kiosk/admin/screens.py): server -> screen only.
    socket.on('reload', function () { window.location.reload(); });
    socket.on('identify', function (p) {
      var old = document.getElementById('identify-overlay');
      if (old) old.parentNode.removeChild(old);
      var box = document.createElement('div');
      box.id = 'identify-overlay';
      box.setAttribute('data-testid', 'identify');
      box.textContent = String((p && p.name) || '');
      box.style.cssText = 'position:fixed;inset:0;z-index:99999;display:flex;align-items:center;justify-content:center;' +
        'background:#0b2a4a;color:#fff;font:700 12vw/1.2 "Noto Sans SC",sans-serif;text-align:center;padding:4vw';
      document.body.appendChild(box);
      setTimeout(function () { if (box.parentNode) box.parentNode.removeChild(box); },
        Math.min(60, Number(p && p.seconds) || 10) * 1000);
    });
  };

  K.poll = function () {
    var sent = Date.now();
    var url = K.STATE_URL + (K.STATE_URL.indexOf('?') < 0 ? '?' : '&') + 'since=' +
      encodeURIComponent(K.state ? K.state.version : '');
    // jittered downwards only (0.7-1.0×) so that screens spread out but never exceed POLL_MS
    var done = function () { setTimeout(K.poll, K.POLL_MS * (0.7 + Math.random() * 0.3)); };
    if (!window.fetch) { done(); return; }
    window.fetch(url, { cache: 'no-store', credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (res) {
        if (res.status !== 200) return null;
        return res.json().then(function (st) {
          if (K.apply(st, (sent + Date.now()) / 2)) K.heartbeat();
        });
      })
      .catch(K.noop)
      .then(done);
  };

  /* Cache the page and its files in a service worker, so that a reload while the server is
     down still finds them (see screen-sw.js; needs a secure context: https or localhost). */
  K.registerServiceWorker = function () {
    var cfg = K.cfg;
    var swUrl = cfg.service_worker;
    if (K.MIRROR) return; // a staff browser keeps no offline copy of a screen
    if (!swUrl || !('serviceWorker' in navigator) || window.isSecureContext === false) return;
    navigator.serviceWorker.register(swUrl, { scope: cfg.service_worker_scope || '/screen/' })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (reg) {
        var warm = function () {
          var seen = {};
          var urls = [location.href];
          K.toArray(document.querySelectorAll('link[rel="stylesheet"][href], script[src], img[src]')).forEach(function (el) {
            urls.push(el.href || el.src);
          });
          if (window.performance && performance.getEntriesByType) {
            performance.getEntriesByType('resource').forEach(function (e) { urls.push(e.name); });
          }
          urls = urls.filter(function (u) { if (seen[u]) return false; seen[u] = true; return true; });
          if (reg.active) reg.active.postMessage({ type: 'warm', urls: urls });
        };
        warm();
        setTimeout(warm, 30000); // font slices loaded before the worker took over
      })
      .catch(function (e) {
        if (window.console) console.warn('kiosk screen: no service worker', e && e.message);
      });
  };
})(window.kioskDisplay);
