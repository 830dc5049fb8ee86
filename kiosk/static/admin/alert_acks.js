/* Alerts page: the "已收到的屏幕" lists update live over the /staff namespace.
   A screen's heartbeat carries the version it shows (kiosk/realtime/staff.py emits it as a
   `screen` event); when that version is one of the versions the server listed for the screen
   (data-versions, rendered by services/alerts.acknowledgements), the screen has the alert.
   Without script the page is the server-rendered list (refresh to update). */
(function () {
  'use strict';
  var statusEl = document.getElementById('live-status');
  function say(text) { if (statusEl) statusEl.textContent = text; }

  function recount(cell) {
    var counter = cell && cell.querySelector('[data-ack-count]');
    if (counter) counter.textContent = String(cell.querySelectorAll('li[data-ack="yes"]').length);
  }

  function update(p) {
    if (!p || p.id == null || !p.version) return;
    var items = document.querySelectorAll('li[data-screen-id="' + String(Number(p.id)) + '"]');
    Array.prototype.forEach.call(items, function (li) {
      var versions = (li.getAttribute('data-versions') || '').split(' ');
      var ok = versions.indexOf(String(p.version)) >= 0;
      if ((li.getAttribute('data-ack') === 'yes') === ok) return;
      li.setAttribute('data-ack', ok ? 'yes' : 'no');
      var mark = li.querySelector('.ack-mark');
      if (mark) mark.textContent = ok ? '✔ 已收到' : '… 未确认';
      recount(li.closest('td'));
    });
  }

  window.kioskStaffSocket(say, update, '本列表实时更新。');
})();
