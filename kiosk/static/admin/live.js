/* Screens page: live rows over the /staff Socket.IO namespace (kiosk/realtime/staff.py).
   Without script (or socket) the page is the server-rendered list. Texts use textContent. */
(function () {
  'use strict';
  var table = document.getElementById('screens-table');
  var statusEl = document.getElementById('live-status');
  function say(text) { if (statusEl) statusEl.textContent = text; }


  function cell(row, name) { return row.querySelector('[data-field="' + name + '"]'); }

  function setOnline(row, online) {
    var td = cell(row, 'online');
    if (!td || row.classList.contains('row-disabled')) return;
    var span = document.createElement('span');
    span.className = 'status ' + (online ? 'status-on' : 'status-off');
    span.textContent = online ? '在线' : '离线';
    td.textContent = '';
    td.appendChild(span);
    row.setAttribute('data-online', online ? 'true' : 'false');
  }

  function update(p) {
    if (!table || !p || p.id == null) return;
    var row = table.querySelector('tr[data-screen-id="' + String(Number(p.id)) + '"]');
    if (!row) return;
    if (typeof p.online === 'boolean') setOnline(row, p.online);
    var td;
    if (p.last_seen_at && (td = cell(row, 'last_seen_at'))) td.textContent = window.kioskHallTime(p.last_seen_at);
    if (p.version && (td = cell(row, 'version'))) {
      var code = document.createElement('code');
      code.textContent = String(p.version).slice(0, 10);
      td.textContent = '';
      td.appendChild(code);
    }
    if (p.showing != null && (td = cell(row, 'showing'))) {
      var mirror = td.querySelector('.mirror');
      td.textContent = String(p.showing_title || p.showing || '—') + ' ';
      if (mirror) td.appendChild(mirror);
    }
  }

  /* Admins: a small live preview of the screen page in mirror mode (?mirror=1): it plays
     what the screen plays but connects as a watcher, so the screen's online status, version
     and item showing stay the device's own. The page is drawn at the screen's layout size
     (data-mirror-w/h) and scaled down to fit MAX_W × MAX_H. */
  var MAX_W = 240, MAX_H = 160;
  function mirrors() {
    Array.prototype.forEach.call(document.querySelectorAll('.mirror[data-mirror-src]'), function (box) {
      var btn = document.createElement('button');
      btn.type = 'button';
      btn.className = 'btn btn-small btn-quiet';
      btn.textContent = '预览画面';
      box.appendChild(btn);
      btn.addEventListener('click', function () {
        var frame = box.querySelector('iframe');
        if (frame) { box.removeChild(frame.parentNode); btn.textContent = '预览画面'; return; }
        var W = Number(box.getAttribute('data-mirror-w')) || 1920;
        var H = Number(box.getAttribute('data-mirror-h')) || 1080;
        var S = Math.min(MAX_W / W, MAX_H / H, 1);
        var wrap = document.createElement('div');
        wrap.className = 'mirror-frame';
        wrap.style.width = Math.round(W * S) + 'px';
        wrap.style.height = Math.round(H * S) + 'px';
        wrap.style.overflow = 'hidden';
        wrap.style.border = '1px solid #cbd5e1';
        wrap.style.marginTop = '.3rem';
        wrap.style.background = '#000';
        frame = document.createElement('iframe');
        frame.src = box.getAttribute('data-mirror-src');
        frame.title = '屏幕预览';
        frame.setAttribute('tabindex', '-1');
        frame.setAttribute('data-testid', 'mirror');
        frame.style.width = W + 'px';
        frame.style.height = H + 'px';
        frame.style.border = '0';
        frame.style.transform = 'scale(' + S + ')';
        frame.style.transformOrigin = '0 0';
        frame.style.pointerEvents = 'none';
        wrap.appendChild(frame);
        box.appendChild(wrap);
        btn.textContent = '关闭预览';
      });
    });
  }

  mirrors();
  window.kioskStaffSocket(say, update, '实时更新中');
})();
