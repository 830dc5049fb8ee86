/*
 * Screen page, part 7 of 7: applying a state and starting the page. The first state is the
 * one embedded in the page, or the stored one when that is newer (a reload while the server
 * is down serves the cached page with an old embedded state).
 */
(function (K) {
  'use strict';

  /* Apply a state. receivedAt = local time it arrived from the server (sets the clock
     offset), or null for a state from storage. Returns true when the version changed. */
  K.apply = function (st, receivedAt) {
    var ts = K.ts;
    if (!st || typeof st !== 'object' || !st.version) return false;
    if (receivedAt && st.server_time && ts(st.server_time) !== null) {
      K.offset = ts(st.server_time) - receivedAt;
    }
    var state = K.state;
    if (state && state.version === st.version) {
      if (receivedAt) K.store();
      return false;
    }
    var tzChanged = !state || state.timezone !== st.timezone;
    K.state = st;
    K.segments = K.parseTimeline(st);
    document.body.setAttribute('data-version', st.version);
    K.store();
    var kind = (st.screen && (st.screen.kind || st.screen.layout)) || K.cfg.screen_kind || '';
    if (st.layout) K.buildStage(st.layout, kind);
    if (tzChanged) K.setupClock(st.timezone);
    K.renderHeader();
    K.renderTicker();
    K.alertsKey = null;
    K.updateClock();

    // Keep the slide on screen if it is still part of what plays now: it stays until the
    // end of the current slot, then the wall-clock rotation takes over again.
    var t = K.now();
    var plan = K.planAt(t);
    var current = K.current, pending = K.pending;
    var switching = pending && pending.id === plan.id; // already on its way to the right slide
    if (!switching && current && current.id && st.items && st.items[current.id] && K.segHas(plan.seg, current.id)) {
      K.holdUntil = current.id === plan.id ? 0 : plan.slotEnd;
      var html = String(st.items[current.id].html || '');
      if (html !== current.html) K.render(current.id, html); // content edited: cross-fade in place
    } else {
      K.holdUntil = 0;
    }
    K.tick();
    return true;
  };

  var api = window.kioskScreen;
  Object.defineProperty(api, 'state', { get: function () { return K.state; } });
  Object.defineProperty(api, 'socket', { get: function () { return K.socket(); } });
  api.showing = K.showing;
  api.online = K.online;
  api.now = K.now;
  api.mirror = K.MIRROR;
  api.version = function () { return K.state ? K.state.version : null; };

  (function start() {
    var ts = K.ts;
    var embedded = K.readJSON('initial-state');
    var stored = K.loadStored();
    var te = embedded && ts(embedded.server_time);
    var tsd = stored && ts(stored.server_time);
    if (stored && stored.version && (!embedded || !embedded.version || (tsd !== null && (te === null || tsd > te)))) {
      K.offset = K.loadOffset();
      K.apply(stored, null);
    } else if (embedded) {
      K.apply(embedded, Date.now());
    }
    K.setOnline(false);
    window.addEventListener('resize', function () { K.fit(); });
    if (document.fonts && document.fonts.addEventListener) {
      document.fonts.addEventListener('loadingdone', function () {
        if (K.current) { K.prepare(K.current.el); K.startMarquees(K.current.el); }
      });
    }
    if (!K.MIRROR) setInterval(K.heartbeat, K.HEARTBEAT_MS);
    setTimeout(K.poll, K.POLL_MS * (0.5 + Math.random() * 0.5));
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', K.connect);
    } else {
      K.connect();
    }
    if (document.readyState === 'complete') K.registerServiceWorker();
    else window.addEventListener('load', K.registerServiceWorker);
  })();
})(window.kioskDisplay);
