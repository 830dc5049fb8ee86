/*
 * Touch kiosk UI, part 6 of 6: waking from the attract loop, the catalogue, offline copies,
 * the bars around the views, and start-up.
 *
 * Attract: the screen page plays its rotation underneath; a transparent layer above it takes
 * the first touch (pointerdown, so that no first tap is lost, also a quick one or a swipe),
 * opens home, and swallows the rest of that tap so that it does not also press whatever home
 * shows under the finger.
 *
 * Offline: the catalogue, every guide and bundle, their QR codes and 样表 are fetched once
 * while the kiosk is idle, through the screen's service worker, which keeps them
 * (screen-sw.js); a kiosk whose server is gone keeps browsing them and says what needs the
 * network (search, handwriting, rating).
 */
(function (T) {
  'use strict';

  var D = T.D;
  var cfg = T.cfg;
  var wake = document.getElementById('touch-wake');

  /* ------------------------------------------------------------------ wake */

  var wakingPointer = null;
  T.showWake = function () { wake.hidden = false; wakingPointer = null; };

  wake.addEventListener('pointerdown', function (ev) {
    ev.preventDefault();
    wakingPointer = ev.pointerId;
    T.startVisit(D && D.showing ? D.showing() : null);
  });
  var release = function (ev) {
    if (wakingPointer === null || ev.pointerId !== wakingPointer) return;
    wakingPointer = null;
    // the click of this tap lands on the wake layer, not on what home shows under the finger
    setTimeout(function () { if (T.active) wake.hidden = true; }, 0);
  };
  wake.addEventListener('pointerup', release);
  wake.addEventListener('pointercancel', release);
  wake.addEventListener('click', function (ev) { ev.preventDefault(); ev.stopPropagation(); });
  wake.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); T.startVisit(null); wake.hidden = true; }
  });

  // every touch during a visit restarts its idle clock
  document.addEventListener('pointerdown', function () { T.touched(); }, { capture: true, passive: true });

  /* ------------------------------------------------------------------ bars */

  T.tap(document.getElementById('touch-back'), function () { T.back(); });
  T.tap(document.getElementById('touch-home'), function () { T.go('home'); });
  T.tap(document.getElementById('touch-elder'), function () { T.setElder(!T.elder); });
  T.tap(document.getElementById('touch-end'), function () { T.endVisit('home'); });

  var clock = document.getElementById('touch-clock');
  var fmt = null;
  function tickClock() {
    try {
      if (!fmt) {
        fmt = new Intl.DateTimeFormat('zh-CN', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
          timeZone: (D && D.state && D.state.timezone) || 'Asia/Shanghai' });
      }
      clock.textContent = fmt.format(new Date(T.now()));
    } catch (e) { fmt = null; }
  }
  tickClock();
  setInterval(tickClock, 5000);

  /* Alerts stay above the kiosk UI: the stage (which draws them) is lifted above it while a
     visit is open, its slides hidden; the body mirrors whether one covers everything. */
  var stage = document.getElementById('stage');
  function mirrorAlerts() {
    document.body.classList.toggle('t-critical', stage.classList.contains('has-critical'));
    document.body.classList.toggle('t-banner', stage.classList.contains('has-banner'));
  }
  new MutationObserver(mirrorAlerts).observe(stage, { attributes: true, attributeFilter: ['class'] });
  mirrorAlerts();

  /* ------------------------------------------------------------------ online */

  /* The screen's socket says first when the server goes or comes back; a request that gets
     an answer afterwards (a socket blocked by a proxy, say) counts as online again. */
  var wasOnline = null;
  setInterval(function () {
    var on = D && D.online ? D.online() : false;
    if (on !== wasOnline) {
      var first = wasOnline === null;
      wasOnline = on;
      if (on || !first) T.setNet(on);
      T.renderOffline();
      if (on) loadCatalogue();
    }
  }, 1000);

  /* ------------------------------------------------------------------ catalogue */

  T.cat = null;
  var loadingCat = false;

  function loadCatalogue() {
    if (loadingCat || !cfg.catalogue_url) return;
    loadingCat = true;
    T.fetchJSON(cfg.catalogue_url, { timeout: 15000 }).then(function (cat) {
      loadingCat = false;
      if (!cat || !cat.guides) return;
      var changed = !T.cat || T.cat.version !== cat.version;
      T.cat = cat;
      if (!changed) return;
      if (T.active && T.stack.length === 1 && T.stack[0].name === 'home') T.redraw();
      prefetch(cat);
    }, function () { loadingCat = false; });
  }

  /* A content change moves the screen's version: the catalogue may have moved too. */
  new MutationObserver(function () { loadCatalogue(); })
    .observe(document.body, { attributes: true, attributeFilter: ['data-version'] });
  setInterval(loadCatalogue, 5 * 60 * 1000);

  /* The font slices a text needs, in both weights: fetched now (and so kept by the service
     worker), so that a guide opened offline for the first time still shows every character. */
  function fontsFor(text) {
    if (!document.fonts || !document.fonts.load) return null;
    var family = ' "Noto Sans SC"';
    return Promise.all([document.fonts.load('400 27px' + family, text), document.fonts.load('700 27px' + family, text)])
      .catch(function () { return null; });
  }

  /* Fetch every guide and bundle (and their QR codes and 样表) once per catalogue version,
     one at a time, so the service worker holds them for offline browsing. */
  var prefetchedFor = null;
  function prefetch(cat) {
    if (!('serviceWorker' in navigator) || !cfg.prefetch) return;
    var version = cat.version;
    var go = function () {
      if (prefetchedFor === version) return;
      prefetchedFor = version;
      var urls = [];
      Object.keys(cat.guides).forEach(function (id) {
        var g = cat.guides[id];
        urls.push({ url: cfg.guide_url + encodeURIComponent(g.id), forms: true });
        urls.push({ url: '/g/' + encodeURIComponent(g.code) + '/qr.svg' });
      });
      (cat.bundles || []).forEach(function (b) { urls.push({ url: cfg.bundle_url + encodeURIComponent(b.code) }); });
      var seen = {};
      var next = function () {
        if (prefetchedFor !== version) return;
        if (!urls.length) { T.prefetched = version; return; } // every copy is kept
        var job = urls.shift();
        if (seen[job.url]) { next(); return; }
        seen[job.url] = true;
        fetch(job.url, { credentials: 'omit', cache: 'no-cache' }).then(function (res) {
          if (!job.forms || !res.ok) return null;
          return res.json().then(function (g) {
            (g.materials || []).forEach(function (m) {
              if (m.sample_form_url) urls.push({ url: m.sample_form_url });
            });
            return fontsFor(JSON.stringify(g));
          });
        }).catch(function () { /* offline: the next catalogue load tries again */ prefetchedFor = null; urls = []; })
          .then(function () { setTimeout(next, 25); }); // one at a time, leaving the server room
      };
      next();
    };
    if (navigator.serviceWorker.controller) go();
    else navigator.serviceWorker.addEventListener('controllerchange', go, { once: true });
  }

  /* ------------------------------------------------------------------ start */

  T.root.hidden = true;
  T.showWake();
  loadCatalogue();
  window.kioskTouchReady = true;
  // tests and the panel's tools may ask what a visit shows; nothing of it is stored
  window.kioskTouchState = function () {
    return { active: T.active, elder: T.elder, view: T.view.getAttribute('data-view'), depth: T.stack.length };
  };
})(window.kioskTouch);
