/* Dashboard: the screen counts (card and tabs) and the status column follow the /staff
   Socket.IO namespace (kiosk/realtime/staff.py emits a `screen` event on every connect,
   disconnect and heartbeat). The server renders every screen's state into
   #screens-card[data-screens] ("id:1 id:0 …") — the table lists at most 300 rows but the
   counts cover all screens, so they are recounted from that map, not from the table.
   Without script the page is what the server rendered (reload to update). */
(function () {
  'use strict';
  var card = document.getElementById('screens-card');
  var table = document.getElementById('screens-table');
  var statusEl = document.getElementById('live-status');
  if (!card) return;
  function say(text) { if (statusEl) statusEl.textContent = text; }

  var states = {};
  (card.getAttribute('data-screens') || '').split(' ').forEach(function (pair) {
    var parts = pair.split(':');
    if (parts.length === 2 && parts[0]) states[parts[0]] = parts[1] === '1';
  });

  function setCount(name, value) {
    Array.prototype.forEach.call(document.querySelectorAll('[data-count="' + name + '"]'), function (el) {
      el.textContent = String(value);
    });
  }

  function recount() {
    var total = 0, online = 0;
    Object.keys(states).forEach(function (id) { total += 1; if (states[id]) online += 1; });
    setCount('total', total);
    setCount('online', online);
    setCount('offline', total - online);
    var note = card.querySelector('[data-testid="screens-offline-note"]');
    if (note) note.textContent = total - online ? (total - online) + ' 台离线' : '全部在线';
    card.classList.toggle('card-warn', total - online > 0);
  }


  function updateRow(p) {
    var row = table && table.querySelector('tr[data-screen-id="' + String(Number(p.id)) + '"]');
    if (!row) return;
    var td = row.querySelector('[data-field="online"]');
    if (td && typeof p.online === 'boolean') {
      var span = document.createElement('span');
      span.className = 'status ' + (p.online ? 'status-on' : 'status-off');
      span.textContent = p.online ? '在线' : '离线';
      td.textContent = '';
      td.appendChild(span);
    }
    if (p.last_seen_at && (td = row.querySelector('[data-field="last_seen_at"]'))) {
      var at = document.createElement('span');
      at.className = 'muted';
      at.textContent = window.kioskHallTime(p.last_seen_at);
      td.textContent = '刚刚';
      td.appendChild(document.createElement('br'));
      td.appendChild(at);
    }
    if (p.version && (td = row.querySelector('[data-field="version"]'))) {
      var code = document.createElement('code');
      code.textContent = String(p.version).slice(0, 8);
      td.textContent = '';
      td.appendChild(code);
    }
    if (p.showing != null && (td = row.querySelector('[data-field="showing"]'))) {
      td.textContent = String(p.showing_title || p.showing || '—');
    }
  }

  function update(p) {
    if (!p || p.id == null) return;
    var id = String(Number(p.id));
    // a screen paired after the page loaded joins the counts when it connects; an unknown
    // screen going offline is one revoked meanwhile (its last disconnect), not a new one
    if (typeof p.online === 'boolean' && (id in states || p.online)) {
      states[id] = p.online;
      recount();
    }
    updateRow(p);
  }

  window.kioskStaffSocket(say, update, '实时更新中');
})();
