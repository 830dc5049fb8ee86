/*
 * Screen page, part 1 of 7: the shared core. Plays the state of docs/display-protocol.md.
 *
 * The page is split by concern into plain scripts that kiosk/templates/display/screen.html
 * loads in this order (no bundler; each one adds to the namespace window.kioskDisplay):
 *
 *   screen.js             settings, helpers, text fitting in slides (this file)
 *   screen-store.js       the last state in localStorage (offline, also after a reload)
 *   screen-stage.js       the stage and its regions, scaled to the window
 *   screen-timeline.js    the timeline against the wall clock, rotation, slide layers
 *   screen-overlays.js    header, clock, ticker and alerts
 *   screen-connection.js  Socket.IO, heartbeat, the HTTP poll fallback, the service worker
 *   screen-start.js       applying a state, the public window.kioskScreen, start-up
 *
 * This file also works alone: slide previews and tests load it to fit slide text the way a
 * screen does (window.kioskScreen.prepare).
 *
 * - The timeline is played against the wall clock (server_time gives the clock offset), so all
 *   screens of a group show the same item and a reload continues where it would have been,
 *   offline or not.
 * - Never a blank frame: the next slide is rendered into a hidden layer, its fonts and images
 *   are loaded, then it is revealed (opaque, a cut) above the old one, and only then is the
 *   old one removed. A layout may animate .slide-layer.entering, but must keep it opaque.
 * - State arrives over Socket.IO (/display), by polling GET /screen/<token>/state, or from
 *   localStorage after a reload while the server is down.
 * - Mirror mode (?mirror=1, the staff panel's live preview): the same page, but it connects as
 *   a watcher (auth.mirror), sends no heartbeats, stores nothing and registers no worker, so
 *   watching a screen never makes it look online or overwrites what it reported.
 *
 * Vanilla ES2017, no build step, no external URLs.
 */
(function () {
  'use strict';

  function readJSON(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  var K = window.kioskDisplay = {};
  var cfg = K.cfg = readJSON('screen-config') || {};
  K.readJSON = readJSON;
  K.TOKEN = String(cfg.token || '');
  K.MIRROR = cfg.mirror === true;
  // The protocol promises a heartbeat every <= 15 s and a poll every <= 60 s (the server
  // refuses larger settings; clamped here too so that a hand-edited page cannot break it).
  K.HEARTBEAT_MS = Math.min(15, Math.max(1, Number(cfg.heartbeat_seconds) || 15)) * 1000;
  K.POLL_MS = Math.min(60, Math.max(1, Number(cfg.poll_seconds) || 60)) * 1000;
  K.STATE_URL = cfg.state_url || ('/screen/' + encodeURIComponent(K.TOKEN) + '/state');
  K.FADE_MS = 700;          // the old layer stays under the new one this long (.entering)
  K.READY_TIMEOUT_MS = 2500; // longest wait for fonts/images before revealing anyway
  K.FONT_FAMILY = '"Noto Sans SC"';

  K.stage = document.getElementById('stage');
  K.connDot = document.getElementById('conn-status');

  // What is playing, shared by the parts (each part keeps its own timers private).
  K.state = null;         // the state being played
  K.segments = [];        // parsed timeline
  K.offset = 0;           // server clock - local clock (ms)
  K.regions = {};         // region name -> element
  K.current = null;       // {id, html, el} of the visible slide
  K.pending = null;       // {seq, id, html, el} being prepared in a hidden layer
  K.holdUntil = 0;        // keep the current slide until then after a state update
  K.hallName = '';
  K.tickerKey = null;     // what the ticker / alerts show, to skip redrawing the same
  K.alertsKey = null;

  K.now = function () { return Date.now() + K.offset; };
  K.noop = function () {};
  K.ts = function (iso) { var t = iso ? Date.parse(iso) : NaN; return isNaN(t) ? null : t; };
  K.esc = function (s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  };
  K.cssName = function (s) { return String(s || '').replace(/[^A-Za-z0-9_-]/g, '_'); };
  K.delay = function (ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); };
  var toArray = K.toArray = function (list) { return Array.prototype.slice.call(list || []); };

  /* ------------------------------------------------------------------ text in slides */

  /* Resolve when the fonts the layer's text needs and its images are loaded (or on timeout). */
  K.whenReady = function (el) {
    var waits = [];
    var text = (el.textContent || '').replace(/\s+/g, '');
    if (document.fonts && document.fonts.load && text) {
      waits.push(document.fonts.load('400 40px ' + K.FONT_FAMILY, text).catch(K.noop));
      waits.push(document.fonts.load('700 40px ' + K.FONT_FAMILY, text).catch(K.noop));
    }
    toArray(el.querySelectorAll('img')).forEach(function (img) {
      if (img.complete) return;
      waits.push(new Promise(function (resolve) {
        img.addEventListener('load', resolve);
        img.addEventListener('error', resolve);
      }));
    });
    if (!waits.length) return Promise.resolve();
    return Promise.race([Promise.all(waits), K.delay(K.READY_TIMEOUT_MS)]);
  };

  /* Shrink [data-fit] text until it fits its box: "line" = one line, "box" = its height. */
  K.prepare = function (root) {
    toArray(root.querySelectorAll('[data-fit]')).forEach(function (el) {
      var mode = el.getAttribute('data-fit');
      el.style.fontSize = '';
      var size = parseFloat(getComputedStyle(el).fontSize) || 16;
      var min = size * (mode === 'line' ? 0.62 : 0.55);
      // data-fit-grow="1.3": short text may also grow up to 1.3× (then shrinks back to fit)
      var grow = parseFloat(el.getAttribute('data-fit-grow'));
      if (grow > 1) {
        size = size * grow;
        el.style.fontSize = size + 'px';
      }
      var guard = 0;
      while (overflows(el, mode) && size > min && guard++ < 24) {
        size = Math.max(min, size * 0.93);
        el.style.fontSize = size + 'px';
      }
      el.classList.toggle('is-clipped', overflows(el, mode));
    });
  };

  function overflows(el, mode) {
    if (mode === 'line') return el.scrollWidth > el.clientWidth + 1;
    return el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;
  }

  /* One-line text that is wider than its box scrolls back and forth (strip lines, banners). */
  K.startMarquees = function (root) {
    toArray(root.querySelectorAll('.marquee')).forEach(function (box) {
      var inner = box.firstElementChild;
      if (!inner) return;
      var distance = Math.round(inner.scrollWidth - box.clientWidth);
      if (inner._anim && inner._distance === distance) return; // already scrolling this far
      if (inner._anim) { inner._anim.cancel(); inner._anim = null; }
      inner._distance = distance;
      box.classList.toggle('is-scrolling', distance > 1);
      if (distance <= 1 || !inner.animate) return;
      var speed = parseFloat(getComputedStyle(box).getPropertyValue('--marquee-speed')) || 90;
      var travel = distance / speed * 1000;
      var duration = travel / 0.7;
      var to = 'translateX(' + (-distance) + 'px)';
      inner._anim = inner.animate([
        { transform: 'translateX(0)', offset: 0 },
        { transform: 'translateX(0)', offset: 0.15 },
        { transform: to, offset: 0.85 },
        { transform: to, offset: 1 }
      ], { duration: duration, iterations: Infinity });
    });
  };

  // The public handle; screen-start.js adds the playing state. Previews use prepare alone:
  // fit text and start scrolling lines in an element holding slide HTML.
  window.kioskScreen = {
    prepare: function (el) { K.prepare(el); K.startMarquees(el); }
  };
})();
