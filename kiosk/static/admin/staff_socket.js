/* The panel pages' live connection: the /staff Socket.IO namespace (kiosk/realtime/staff.py).
   kioskStaffSocket(say, onScreen, liveText) connects, reports its state through say(text),
   marks <body data-live>, and calls onScreen(payload) for every `screen` event. When the
   server closes the socket because the panel session went idle, the page reloads and the
   panel decides (still signed in: the page comes back; idle: the login page). */
(function () {
  'use strict';
  /* "MM-DD HH:MM:SS" in the hall's time zone (<body data-hall-tz>), as the server renders
     the same columns: a staff PC or a headless test on another zone must not show other
     times after a live update than before it. */
  var clock = null;
  window.kioskHallTime = function (iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) return '—';
    if (!clock) {
      clock = new Intl.DateTimeFormat('zh-CN', {
        timeZone: document.body.getAttribute('data-hall-tz') || undefined, hourCycle: 'h23',
        month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'
      });
    }
    var p = {};
    clock.formatToParts(d).forEach(function (part) { p[part.type] = part.value; });
    return p.month + '-' + p.day + ' ' + p.hour + ':' + p.minute + ':' + p.second;
  };

  window.kioskStaffSocket = function (say, onScreen, liveText) {
    if (typeof window.io !== 'function') { say('无法实时更新，请手动刷新页面。'); return null; }
    var socket = window.io('/staff', { transports: ['websocket'] });
    socket.on('connect', function () { say(liveText); document.body.setAttribute('data-live', 'true'); });
    socket.on('disconnect', function (reason) {
      document.body.setAttribute('data-live', 'false');
      if (reason === 'io server disconnect') { window.location.reload(); return; }
      say('实时连接已断开，正在重连……');
    });
    socket.on('connect_error', function (err) {
      var code = err && err.data && err.data.code;
      if (code === 'login_required' || code === 'login_expired') {
        socket.disconnect();  // a refused session does not get better by retrying
        say('登录已过期，请刷新页面重新登录。');
      } else {
        say('实时连接失败，正在重试……');
      }
    });
    socket.on('screen', onScreen);
    return socket;
  };
})();
