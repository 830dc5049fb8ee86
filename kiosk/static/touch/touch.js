/*
 * Touch kiosk UI, part 1 of 6: the shared core (docs/kiosk.md).
 *
 * A screen of kind `kiosk` is an ordinary screen page (static/display) that plays its attract
 * rotation; these scripts add the touch UI on top. They are loaded in this order by
 * kiosk/templates/touch/ui.html, each adding to the namespace window.kioskTouch:
 *
 *   touch.js         settings, DOM helpers, network, views and navigation, the visit, idle,
 *                    lockdown, visit records (this file)
 *   touch-home.js    home page, theme / department / bundle lists
 *   touch-input.js   on-screen keyboard, handwriting panel, the search page
 *   touch-guide.js   guide and bundle pages, the 样表 viewer
 *   touch-rating.js  好差评 rating with reasons and an optional call-back number
 *   touch-start.js   waking from attract, the catalogue, offline caching, start-up
 *
 * Rules every part keeps:
 * - Everything staff or citizens typed goes into the page as text (T.h / textContent),
 *   never as HTML; the only markup inserted is the icons below.
 * - A visit is everything between the first touch and the idle timeout (or 结束): its query,
 *   pages, mode and scroll live in memory only and are dropped when it ends.
 * - No system keyboard ever appears: the UI has no input, textarea or contenteditable.
 *
 * Vanilla ES2017, no build step, no external URLs.
 */
(function () {
  'use strict';

  var D = window.kioskDisplay || null; // the screen page (static/display/screen.js)
  var T = window.kioskTouch = {};

  function readJSON(id) {
    var el = document.getElementById(id);
    if (!el) return null;
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  var cfg = T.cfg = readJSON('touch-config') || {};
  T.D = D;
  T.IDLE_MS = Math.max(3, Math.min(3600, Number(cfg.idle_seconds) || 60)) * 1000;
  T.COUNTDOWN_S = Math.max(3, Math.min(60, Number(cfg.countdown_seconds) || 10));
  T.root = document.getElementById('touch');
  T.view = document.getElementById('touch-view');

  /* ------------------------------------------------------------------ DOM helpers */

  /* T.h('button', {class: 'x', onclick: fn, 'data-id': 3}, ['text', node, …]): strings
     become text nodes, so nothing a person typed is ever parsed as HTML. */
  T.h = function (tag, attrs, children) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'class') el.className = v;
        else if (k === 'text') el.textContent = String(v);
        else if (k === 'icon') el.insertAdjacentHTML('afterbegin', T.ICONS[v] || '');
        else if (k.slice(0, 2) === 'on' && typeof v === 'function') T.tap(el, v, k.slice(2));
        else el.setAttribute(k, v === true ? '' : String(v));
      });
    }
    T.append(el, children);
    return el;
  };

  T.append = function (el, children) {
    (Array.isArray(children) ? children : (children == null ? [] : [children])).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    });
    return el;
  };

  T.clear = function (el) { while (el && el.firstChild) el.removeChild(el.firstChild); return el; };

  /* A button's action, on the finger's release rather than on `click`: Chromium drops the
     click of the first tap after a swipe (the tap that stops the swipe's fling — writing a
     character or scrolling a list ends in one), so a visitor's tap on a candidate or a result
     would be lost. A press that moves away or turns into a scroll (pointercancel) does
     nothing; the click that may follow a handled release is ignored; a click without a
     pointer (keyboard, assistive technology) still acts. */
  var SLOP = 24; // px a finger may wander during a tap
  var firedAt = 0;  // the last release that acted (on any button: its click may land elsewhere)
  T.tap = function (el, fn) {
    var down = null;
    var usable = function () { return !(el.disabled || el.getAttribute('aria-disabled') === 'true'); };
    el.addEventListener('pointerdown', function (ev) {
      down = ev.isPrimary ? { id: ev.pointerId, x: ev.clientX, y: ev.clientY } : null;
    });
    el.addEventListener('pointercancel', function () { down = null; });
    el.addEventListener('pointerup', function (ev) {
      var d = down;
      down = null;
      if (!d || d.id !== ev.pointerId || !usable()) return;
      if (Math.abs(ev.clientX - d.x) > SLOP || Math.abs(ev.clientY - d.y) > SLOP) return;
      var r = el.getBoundingClientRect();
      if (ev.clientX < r.left - SLOP || ev.clientX > r.right + SLOP || ev.clientY < r.top - SLOP || ev.clientY > r.bottom + SLOP) return;
      firedAt = Date.now();
      fn(ev);
    });
    el.addEventListener('click', function (ev) {
      // the release acted already (this click, or a ghost of it on what the action drew)
      if (ev.detail > 0 && Date.now() - firedAt < 800) { ev.preventDefault(); return; }
      if (usable()) fn(ev);
    });
  };

  T.button = function (label, onclick, attrs) {
    var a = Object.assign({ type: 'button', class: 't-btn', onclick: onclick }, attrs || {});
    return T.h('button', a, label);
  };

  // Icons: fixed markup of ours (never data), drawn in currentColor.
  var svg = function (d, extra) {
    return '<svg class="t-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"' + (extra || '') +
      '><path fill="currentColor" d="' + d + '"/></svg>';
  };
  T.ICONS = {
    back: svg('M15.4 4.6 14 3.2 5.2 12l8.8 8.8 1.4-1.4L8 12z'),
    home: svg('M12 3 2 11.5h3V21h5.5v-6h3v6H19v-9.5h3z'),
    search: svg('M9.5 3a6.5 6.5 0 0 1 5.2 10.4l5.9 5.9-1.4 1.4-5.9-5.9A6.5 6.5 0 1 1 9.5 3zm0 2a4.5 4.5 0 1 0 0 9 4.5 4.5 0 0 0 0-9z'),
    up: svg('M12 7.2 4.6 14.6 6 16l6-6 6 6 1.4-1.4z'),
    down: svg('M12 16.8 19.4 9.4 18 8l-6 6-6-6-1.4 1.4z'),
    elder: svg('M12 2a3 3 0 1 1 0 6 3 3 0 0 1 0-6zm-3 7h6l1 6h-2l-.5 7h-3L10 15H8z'),
    exit: svg('M10 3h9v18h-9v-2h7V5h-7zM8.6 7.6 10 9l-2 2h8v2H8l2 2-1.4 1.4L4.2 12z'),
    backspace: svg('M8 5h13v14H8l-6-7zm3.4 3L10 9.4l2.6 2.6-2.6 2.6 1.4 1.4 2.6-2.6 2.6 2.6 1.4-1.4-2.6-2.6 2.6-2.6L16.6 8 14 10.6z'),
    pen: svg('M3 17.2V21h3.8l11-11-3.8-3.8zm17.7-10.1a1 1 0 0 0 0-1.4l-2.4-2.4a1 1 0 0 0-1.4 0l-1.8 1.8 3.8 3.8z'),
    keyboard: svg('M3 6h18v12H3zm2 2v2h2V8zm3 0v2h2V8zm3 0v2h2V8zm3 0v2h2V8zm3 0v2h2V8zM5 11v2h2v-2zm3 0v2h2v-2zm3 0v2h2v-2zm3 0v2h2v-2zm3 0v2h2v-2zM7 14v2h10v-2z'),
    plus: svg('M11 5h2v6h6v2h-6v6h-2v-6H5v-2h6z'),
    minus: svg('M5 11h14v2H5z'),
    close: svg('M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6l5.6-5.6L5 6.4z'),
    reset: svg('M12 5V2L7 6l5 4V7a5 5 0 1 1-5 5H5a7 7 0 1 0 7-7z'),
    star: svg('M12 2.5 14.9 9l7.1.6-5.4 4.7 1.6 7-6.2-3.8-6.2 3.8 1.6-7L2 9.6 9.1 9z'),
    qr: svg('M3 3h8v8H3zm2 2v4h4V5zm8-2h8v8h-8zm2 2v4h4V5zM3 13h8v8H3zm2 2v4h4v-4zm8-2h3v3h-3zm5 0h3v3h-3zm-5 5h3v3h-3zm5 0h3v3h-3z'),
    form: svg('M6 2h9l5 5v15H6zm8 1.5V8h4.5zM8 11v2h8v-2zm0 4v2h8v-2z'),
    offline: svg('M2.8 2.1 1.4 3.5l3.1 3.1A14.8 14.8 0 0 0 1 9l2 2a12 12 0 0 1 3-2l2.2 2.2A8 8 0 0 0 5 13l2 2a5 5 0 0 1 3.4-1.6l9.1 9.1 1.4-1.4zM12 4c-1.5 0-3 .2-4.3.6l2.4 2.4L12 7a12 12 0 0 1 9 4l2-2a15 15 0 0 0-11-5zm0 12a2 2 0 1 0 0 4 2 2 0 0 0 0-4z')
  };

  T.esc = function (s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  };

  T.days = function (n) {
    if (n === null || n === undefined || n === '') return '';
    return Number(n) === 0 ? '即办（当场办结）' : n + ' 个工作日';
  };

  /* ------------------------------------------------------------------ time */

  T.now = function () { return D && D.now ? D.now() : Date.now(); };
  T.iso = function (t) { return new Date(t === undefined ? T.now() : t).toISOString(); };

  /* ------------------------------------------------------------------ network */

  /* Online = the screen's socket is connected, or the last request got an answer. A failed
     request, or the socket dropping, turns it off until the socket or a later request says
     otherwise (touch-start.js watches the socket). */
  var netOk = true;
  T.online = function () {
    var sock = D && D.online ? D.online() : false;
    return sock || netOk;
  };
  T.setNet = function (ok) {
    if (netOk === ok) return;
    netOk = ok;
    T.renderOffline();
  };
  T.prefetched = null; // the catalogue version whose guides are all kept for offline use

  /* fetch JSON with a timeout; rejects with {status, error} (error = the server's JSON error
     object) or {offline: true}. */
  T.fetchJSON = function (url, opts) {
    opts = opts || {};
    var ctrl = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (ctrl) ctrl.abort(); }, opts.timeout || 8000);
    var init = { method: opts.method || 'GET', credentials: 'omit', cache: opts.cache || 'no-cache',
      headers: { Accept: 'application/json' }, signal: ctrl ? ctrl.signal : undefined };
    if (opts.body !== undefined) {
      init.body = JSON.stringify(opts.body);
      init.headers['Content-Type'] = 'application/json';
    }
    if (opts.signal && ctrl) opts.signal.addEventListener('abort', function () { ctrl.abort(); });
    return fetch(url, init).then(function (res) {
      clearTimeout(timer);
      // a reply from the service worker's cache is not proof that the server is up
      if (res.headers.get('X-Kiosk-Offline') !== '1') T.setNet(true);
      if (res.status === 204) return null;
      return res.json().catch(function () { return null; }).then(function (data) {
        if (res.ok) return data;
        throw { status: res.status, error: (data && data.error) || {}, retryAfter: res.headers.get('Retry-After') };
      });
    }, function (err) {
      clearTimeout(timer);
      if (opts.signal && opts.signal.aborted) throw { aborted: true };
      T.setNet(false);
      throw { offline: true, cause: err };
    });
  };

  /* ------------------------------------------------------------------ views */

  /* A view is {name, render(params) -> Element, title}. Navigation keeps a stack in memory
     (never the browser history: there is nowhere to go back to outside the visit). */
  T.views = {};
  T.stack = [];

  T.defineView = function (name, def) { T.views[name] = def; };

  T.go = function (name, params, opts) {
    var def = T.views[name];
    if (!def) return;
    var entry = { name: name, params: params || {}, scroll: 0 };
    var cur = T.stack[T.stack.length - 1];
    if (cur) cur.scroll = currentScroll();
    if (opts && opts.replace) T.stack.pop();
    if (name === 'home') T.stack = [];
    T.stack.push(entry);
    draw(entry);
    T.record({ kind: 'page_view', page: def.page || name });
    if (def.record) def.record(entry.params);
  };

  T.back = function () {
    if (T.stack.length <= 1) { T.go('home'); return; }
    T.stack.pop();
    draw(T.stack[T.stack.length - 1]);
  };

  function currentScroll() {
    var s = T.view.querySelector('.t-scroll');
    return s ? s.scrollTop : 0;
  }

  function draw(entry) {
    var def = T.views[entry.name];
    T.closeOverlays();
    T.clear(T.view);
    T.view.setAttribute('data-view', entry.name);
    var title = typeof def.title === 'function' ? def.title(entry.params) : (def.title || '');
    var titleEl = document.getElementById('touch-title');
    if (titleEl) titleEl.textContent = title;
    var node = def.render(entry.params, entry);
    if (node) T.view.appendChild(node);
    var back = document.getElementById('touch-back');
    if (back) back.disabled = entry.name === 'home';
    var scroll = T.view.querySelector('.t-scroll');
    if (scroll) {
      scroll.scrollTop = entry.scroll || 0;
      T.updatePager(scroll);
    }
  }

  /* Redraw what shows (the mode changed, or the catalogue did). */
  T.redraw = function () {
    var cur = T.stack[T.stack.length - 1];
    if (cur && T.active) { cur.scroll = 0; draw(cur); }
  };

  /* ------------------------------------------------------------------ paged scrolling */

  /* A scroll area with large 上一页 / 下一页 buttons (elderly visitors rarely swipe). The
     area scrolls by touch too; the buttons move by one screenful and say where one is. */
  T.scroller = function (content, extraClass) {
    var area = T.h('div', { class: 't-scroll' + (extraClass ? ' ' + extraClass : '') }, content);
    var up = T.h('button', { type: 'button', class: 't-page-btn t-page-up', 'aria-label': '上一页', icon: 'up',
      onclick: function () { page(-1); } }, T.h('span', { class: 't-page-label' }, '上一页'));
    var down = T.h('button', { type: 'button', class: 't-page-btn t-page-down', 'aria-label': '下一页', icon: 'down',
      onclick: function () { page(1); } }, T.h('span', { class: 't-page-label' }, '下一页'));
    var where = T.h('div', { class: 't-page-where', 'aria-live': 'polite' });
    var pager = T.h('div', { class: 't-pager' }, [up, where, down]);
    var wrap = T.h('div', { class: 't-scroll-wrap' }, [area, pager]);
    function page(dir) {
      var step = Math.max(80, area.clientHeight * 0.88);
      area.scrollTop = Math.max(0, Math.min(area.scrollHeight - area.clientHeight, area.scrollTop + dir * step));
      T.updatePager(area);
    }
    area.addEventListener('scroll', function () { T.updatePager(area); }, { passive: true });
    area._pager = { up: up, down: down, where: where, wrap: wrap };
    setTimeout(function () { T.updatePager(area); }, 0);
    return wrap;
  };

  T.updatePager = function (area) {
    var p = area && area._pager;
    if (!p) return;
    var max = area.scrollHeight - area.clientHeight;
    var paged = max > 4;
    p.wrap.classList.toggle('is-paged', paged);
    p.up.disabled = !paged || area.scrollTop <= 2;
    p.down.disabled = !paged || area.scrollTop >= max - 2;
    var pages = Math.max(1, Math.ceil(area.scrollHeight / Math.max(1, area.clientHeight * 0.88) - 0.12));
    var at = Math.min(pages, Math.floor(area.scrollTop / Math.max(1, area.clientHeight * 0.88) + 0.5) + 1);
    if (area.scrollTop >= max - 2) at = pages;
    p.where.textContent = paged ? at + ' / ' + pages : '';
  };

  /* Scroll an element of the current scroll area to its top (section tabs). */
  T.scrollTo = function (target) {
    var area = T.view.querySelector('.t-scroll');
    if (!area || !target) return;
    area.scrollTop = target.offsetTop - area.offsetTop - 8;
    T.updatePager(area);
  };

  /* ------------------------------------------------------------------ overlays */

  T.overlay = function (node, cls) {
    var box = T.h('div', { class: 't-overlay' + (cls ? ' ' + cls : ''), role: 'dialog', 'aria-modal': 'true' }, node);
    T.root.appendChild(box);
    return box;
  };

  T.closeOverlays = function () {
    Array.prototype.slice.call(T.root.querySelectorAll('.t-overlay')).forEach(function (o) {
      if (o.parentNode) o.parentNode.removeChild(o);
    });
  };

  /* ------------------------------------------------------------------ visit records */

  /* What a visit did, without personal data (docs/kiosk.md, POST …/events). Kept in memory
     and sent every few seconds and when the visit ends; what cannot be sent (offline) waits
     in memory, never in storage, so that nothing of a visit stays on the device. */
  var queue = [];
  var flushing = false;
  T.visitId = null;

  T.record = function (ev) {
    if (!T.visitId) return;
    ev.at = T.iso();
    queue.push({ visit: T.visitId, ev: ev });
    if (queue.length > 2000) queue.splice(0, queue.length - 2000);
  };

  T.flush = function () {
    if (flushing || !queue.length || !cfg.events_url) return Promise.resolve();
    flushing = true;
    var visit = queue[0].visit;
    var batch = [];
    for (var i = 0; i < queue.length && batch.length < 200 && queue[i].visit === visit; i++) batch.push(queue[i].ev);
    return T.fetchJSON(cfg.events_url, { method: 'POST', body: { visit: visit, events: batch } }).then(function () {
      queue.splice(0, batch.length);
    }, function (err) {
      // refused (a bug, or data the server will never take): drop it rather than retry forever
      if (err && err.status && err.status < 500 && err.status !== 429) queue.splice(0, batch.length);
      if (window.console && err && err.status) console.warn('kiosk touch: events refused', err.status, err.error);
    }).then(function () {
      flushing = false;
      if (queue.length && queue[0].visit !== visit) return T.flush();
    });
  };
  setInterval(function () { T.flush(); }, 5000);

  /* ------------------------------------------------------------------ the visit */

  T.active = false;
  T.elder = false;

  function newVisitId() {
    var bytes = new Uint8Array(8);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  /* The first touch: open home. `from` = the item the attract loop showed, if any. */
  T.startVisit = function (from) {
    if (T.active) return;
    T.active = true;
    T.visitId = newVisitId();
    T.record({ kind: 'visit_start' });
    T.elder = false;
    T.root.classList.remove('t-elder');
    T.attractItem = from || null;
    document.body.classList.add('t-open');
    T.root.hidden = false;
    T.root.setAttribute('aria-hidden', 'false');
    T.renderOffline();
    T.renderElderSwitch();
    T.go('home');
    T.touched();
  };

  /* End the visit: every trace of it goes (query, pages, mode, scroll, storage), then the
     attract rotation shows again. reason: 'idle' (timed out) or 'home' (结束 pressed). */
  T.endVisit = function (reason) {
    if (!T.active) return;
    T.record({ kind: 'visit_end', reason: reason === 'idle' ? 'idle' : 'home' });
    T.flush();
    T.active = false;
    T.visitId = null;
    clearTimeout(idleTimer);
    clearInterval(countdownTimer);
    T.closeOverlays();
    T.stack = [];
    T.attractItem = null;
    T.elder = false;
    T.root.classList.remove('t-elder');
    T.clear(T.view);
    T.view.removeAttribute('data-view');
    T.resetHooks.forEach(function (fn) { try { fn(); } catch (e) { /* keep resetting */ } });
    forgetStorage();
    T.root.hidden = true;
    T.root.setAttribute('aria-hidden', 'true');
    document.body.classList.remove('t-open');
    if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    T.showWake();
  };
  T.resetHooks = []; // parts register what they keep per visit (query, strokes …)

  /* The UI stores nothing per visit; this also removes whatever another script may have
     left, keeping only the screen's own offline copy of its rotation (screen-store.js). */
  function forgetStorage() {
    try { window.sessionStorage.clear(); } catch (e) { /* private mode */ }
    try {
      var keep = /^kiosk-(state|clock-offset):/;
      for (var i = window.localStorage.length - 1; i >= 0; i--) {
        var k = window.localStorage.key(i);
        if (k && !keep.test(k)) window.localStorage.removeItem(k);
      }
    } catch (e) { /* private mode */ }
  }

  T.setElder = function (on) {
    T.elder = !!on;
    T.root.classList.toggle('t-elder', T.elder);
    T.renderElderSwitch();
    T.redraw();
  };

  T.renderElderSwitch = function () {
    var b = document.getElementById('touch-elder');
    if (!b) return;
    b.setAttribute('aria-pressed', T.elder ? 'true' : 'false');
    var label = b.querySelector('.t-bar-label');
    if (label) label.textContent = T.elder ? '标准版' : '长辈版';
  };

  /* ------------------------------------------------------------------ idle */

  var idleTimer = null;
  var countdownTimer = null;

  /* Any touch during a visit: the idle clock starts again (and a countdown is cancelled). */
  T.touched = function () {
    if (!T.active) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(showCountdown, T.IDLE_MS);
  };

  function showCountdown() {
    if (!T.active) return;
    var left = T.COUNTDOWN_S;
    var num = T.h('div', { class: 't-countdown-num', 'aria-live': 'assertive' }, String(left));
    var box = T.h('div', { class: 't-countdown' }, [
      T.h('p', { class: 't-countdown-text' }, '您还在使用吗？'),
      num,
      T.h('p', { class: 't-countdown-note' }, '秒后返回待机画面，本次查询记录将被清除'),
      T.button('继续使用', function () { close(); T.touched(); }, { class: 't-btn t-btn-primary t-btn-big', 'data-testid': 'continue' })
    ]);
    var ov = T.overlay(box, 't-overlay-countdown');
    function close() {
      clearInterval(countdownTimer);
      if (ov.parentNode) ov.parentNode.removeChild(ov);
    }
    countdownTimer = setInterval(function () {
      left -= 1;
      num.textContent = String(Math.max(0, left));
      if (left <= 0) { close(); T.endVisit('idle'); }
    }, 1000);
  }

  /* ------------------------------------------------------------------ offline note */

  T.renderOffline = function () {
    var note = document.getElementById('touch-offline');
    if (!note) return;
    var off = !T.online();
    note.hidden = !off;
    T.root.classList.toggle('t-offline', off);
    T.offlineHooks.forEach(function (fn) { try { fn(off); } catch (e) { /* next */ } });
  };
  T.offlineHooks = [];

  /* What needs the network, said plainly where it is missing. */
  T.needsNetwork = function (what) {
    return T.h('div', { class: 't-needs-net', role: 'status' }, [
      T.h('span', { icon: 'offline' }),
      T.h('span', null, '网络已断开，' + what + '需要网络。您可以继续浏览主题、部门和已打开过的办事指南；网络恢复后即可使用。')
    ]);
  };

  /* ------------------------------------------------------------------ lockdown */

  /* No way out: no context menu, no selection, no drag, no page zoom, no link navigation, no
     browser shortcuts, no history to go back to. */
  (function lockdown() {
    var stop = function (ev) { ev.preventDefault(); };
    ['contextmenu', 'selectstart', 'dragstart', 'gesturestart', 'gesturechange'].forEach(function (t) {
      document.addEventListener(t, stop, { capture: true });
    });
    document.addEventListener('wheel', function (ev) { if (ev.ctrlKey) ev.preventDefault(); }, { passive: false, capture: true });
    document.addEventListener('touchmove', function (ev) {
      if (ev.touches && ev.touches.length > 1 && !(ev.target.closest && ev.target.closest('.t-zoomable'))) ev.preventDefault();
    }, { passive: false, capture: true });
    document.addEventListener('click', function (ev) {
      var a = ev.target && ev.target.closest ? ev.target.closest('a[href]') : null;
      if (a) ev.preventDefault();
    }, { capture: true });
    document.addEventListener('auxclick', stop, { capture: true });
    document.addEventListener('keydown', function (ev) {
      var k = ev.key || '';
      if (ev.ctrlKey || ev.metaKey || ev.altKey || /^F\d+$/.test(k) || k === 'BrowserBack' || k === 'Tab') ev.preventDefault();
    }, { capture: true });
    window.open = function () { return null; };
    // a back gesture finds our own entry and stays (the page was opened directly)
    try {
      history.replaceState({ kiosk: 1 }, '');
      history.pushState({ kiosk: 2 }, '');
      window.addEventListener('popstate', function () {
        history.pushState({ kiosk: 2 }, '');
        if (T.active) T.back();
      });
    } catch (e) { /* file:// or an old engine */ }
  })();
})();
