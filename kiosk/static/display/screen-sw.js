/*
 * Service worker of the screen page: lets a screen reload while the server is down.
 *
 * The page (served no-store) and everything it loads (CSS, scripts, font slices, layout CSS,
 * images) are kept in one Cache Storage bucket. Requests go to the network first; when the
 * network fails or does not answer within NETWORK_TIMEOUT_MS, the cached copy is used. The
 * vendored files never change under one URL, so they are served from the cache once fetched.
 * The state fallback (/screen/<token>/state) and Socket.IO are never
 * cached: the page handles their failure itself and plays its last state from localStorage.
 *
 * It must be served from /screen/sw.js (scope /screen/), see docs/layouts.md; service workers
 * only run in secure contexts (https, or http on localhost/127.0.0.1).
 */
'use strict';

var CACHE = 'kiosk-screen-v3';
var NETWORK_TIMEOUT_MS = 4000;
// The page's own files (kiosk/templates/display/screen.html loads them): fetched when the
// worker is installed, so that an offline reload finds every part even if the page's 'warm'
// message never came. Layout CSS and font slices are cached as the page uses them.
var SCREEN_FILES = [
  '/static/display/screen.css',
  '/static/display/screen-base.css',
  '/static/display/slides.css',
  '/static/display/slide-kinds.css',
  '/static/display/screen.js',
  '/static/display/screen-store.js',
  '/static/display/screen-stage.js',
  '/static/display/screen-timeline.js',
  '/static/display/screen-overlays.js',
  '/static/display/screen-connection.js',
  '/static/display/screen-start.js',
  '/static/vendor/socket.io/socket.io.min.js',
  '/static/vendor/noto-sans-sc/noto-sans-sc.css',
  // the touch kiosk UI (kiosk/templates/touch/ui.html), for screens of kind kiosk
  '/static/touch/touch.css',
  '/static/touch/touch.js',
  '/static/touch/touch-home.js',
  '/static/touch/touch-input.js',
  '/static/touch/touch-guide.js',
  '/static/touch/touch-rating.js',
  '/static/touch/touch-start.js'
];

self.addEventListener('install', function (event) {
  self.skipWaiting();
  // one missing file must not fail the install (the page's warm message retries them)
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(SCREEN_FILES.map(function (path) {
      return fetch(path, { cache: 'no-store', credentials: 'same-origin' }).then(function (res) {
        if (res && res.ok) return cache.put(new URL(path, self.location.href).href, res);
        return null;
      }).catch(function () { return null; });
    }));
  }));
});

self.addEventListener('activate', function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) {
        return n.indexOf('kiosk-screen-') === 0 && n !== CACHE;
      }).map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

/* The page asks us to cache what it loaded before we controlled it: {type: 'warm', urls}. */
self.addEventListener('message', function (event) {
  var data = event.data || {};
  if (data.type !== 'warm' || !Array.isArray(data.urls)) return;
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(data.urls.map(function (u) {
      var url;
      try { url = new URL(u, self.location.href); } catch (e) { return null; }
      if (url.origin !== self.location.origin || !cacheable(url)) return null;
      var key = keyFor(url);
      return fetch(url.href, { cache: 'no-store', credentials: 'same-origin' }).then(function (res) {
        if (res && res.ok) return cache.put(key, res);
        return null;
      }).catch(function () { return null; });
    }));
  }));
});

function isScreenPage(url) {
  return /^\/screen\/[^/]+$/.test(url.pathname) && url.pathname !== '/screen/sw.js';
}

/* The staff panel's preview (?mirror=1) is never cached: its copy would replace the page a
   real screen in the same browser needs offline. */
function isMirror(url) {
  return url.searchParams.get('mirror') === '1';
}

/* What a touch kiosk reads to browse guides (docs/kiosk.md): its catalogue, each guide and
   bundle, their QR codes and 样表 — kept so that browsing goes on offline. Search,
   handwriting, ratings and visit records are never cached: the page says they need the
   network. */
function isKioskContent(url) {
  var p = url.pathname;
  return /^\/screen\/[^/]+\/kiosk\/catalogue$/.test(p) ||
    /^\/api\/v1\/guides\/\d+$/.test(p) ||
    /^\/api\/v1\/bundles(\/[^/]+)?$/.test(p) ||
    /^\/g\/[^/]+\/qr\.svg$/.test(p) ||
    p.indexOf('/files/') === 0;
}

function cacheable(url) {
  if (url.pathname.indexOf('/socket.io/') === 0) return false;
  if (/^\/screen\/[^/]+\/state$/.test(url.pathname)) return false;
  if (isScreenPage(url) && isMirror(url)) return false;
  return isScreenPage(url) || isKioskContent(url) ||
    url.pathname.indexOf('/static/') === 0 ||
    url.pathname.indexOf('/layouts/') === 0 ||
    url.pathname.indexOf('/media/') === 0;
}

/* Pages are cached without their query string (?since=… etc. must not fragment the cache). */
function keyFor(url) {
  return isScreenPage(url) ? url.origin + url.pathname : url.href;
}

self.addEventListener('fetch', function (event) {
  var req = event.request;
  if (req.method !== 'GET') return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin || !cacheable(url)) return;
  if (url.pathname.indexOf('/static/vendor/') === 0) {
    event.respondWith(cacheFirst(req, keyFor(url)));
  } else {
    event.respondWith(networkFirst(req, keyFor(url)));
  }
});

function networkFirst(req, key) {
  return caches.open(CACHE).then(function (cache) {
    var network = fetch(req).then(function (res) {
      if (res && res.ok) cache.put(key, res.clone());
      return res;
    });
    var timer;
    var timeout = new Promise(function (resolve) {
      timer = setTimeout(resolve, NETWORK_TIMEOUT_MS, null);
    });
    return Promise.race([network.catch(function () { return null; }), timeout]).then(function (res) {
      clearTimeout(timer);
      // a server that answers with an error page (5xx while restarting) is "down" too
      if (res && res.status < 500) return res;
      return cache.match(key).then(function (hit) {
        if (hit) return markOffline(hit);
        return res || network; // nothing cached: wait for the network after all
      });
    });
  });
}

/* A copy served because the network failed says so (X-Kiosk-Offline: 1): the kiosk UI must
   not take it for a sign that the server is back. */
function markOffline(res) {
  var headers = new Headers(res.headers);
  headers.set('X-Kiosk-Offline', '1');
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers: headers });
}

/* Vendored files are immutable under one URL (re-vendoring bumps CACHE). */
function cacheFirst(req, key) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(key).then(function (hit) {
      if (hit) return hit;
      return fetch(req).then(function (res) {
        if (res && res.ok) cache.put(key, res.clone());
        return res;
      });
    });
  });
}
