/*
 * Screen page, part 2 of 7: the last state in localStorage, so that a screen whose server is
 * unreachable keeps playing it, also after a reload (the service worker keeps the files).
 * A mirror (the staff panel's preview) stores nothing: it must not leave a copy of the
 * screen's state in a staff browser, nor overwrite one a real screen in that browser keeps.
 */
(function (K) {
  'use strict';

  var STORE_KEY = 'kiosk-state:' + K.TOKEN;
  var OFFSET_KEY = 'kiosk-clock-offset:' + K.TOKEN;

  /* The stored state, or null (none, unreadable, or a mirror). */
  K.loadStored = function () {
    if (K.MIRROR) return null;
    try {
      var raw = window.localStorage.getItem(STORE_KEY);
      return raw ? JSON.parse(raw) : null;
    } catch (e) { return null; }
  };

  /* The clock offset stored with that state (the server's clock cannot be asked offline). */
  K.loadOffset = function () {
    try { return Number(window.localStorage.getItem(OFFSET_KEY)) || 0; } catch (e) { return 0; }
  };

  K.store = function () {
    if (K.MIRROR) return;
    try {
      window.localStorage.setItem(STORE_KEY, JSON.stringify(K.state));
      window.localStorage.setItem(OFFSET_KEY, String(K.offset));
    } catch (e) { /* quota or private mode: playing from memory still works */ }
  };
})(window.kioskDisplay);
