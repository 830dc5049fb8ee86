/*
 * Screen page: plays the state of docs/display-protocol.md.
 *
 * - The timeline is played against the wall clock (server_time gives the clock offset), so all
 *   screens of a group show the same item and a reload continues where it would have been,
 *   offline or not.
 * - Never a blank frame: the next slide is rendered into a hidden layer, its fonts and images
 *   are loaded, then it is revealed (opaque, a cut) above the old one, and only then is the
 *   old one removed. A layout may animate .slide-layer.entering, but must keep it opaque.
 * - State arrives over Socket.IO (/display), by polling GET /screen/<token>/state, or from
 *   localStorage after a reload while the server is down.
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

  var cfg = readJSON('screen-config') || {};
  var TOKEN = String(cfg.token || '');
  var STORE_KEY = 'kiosk-state:' + TOKEN;
  var OFFSET_KEY = 'kiosk-clock-offset:' + TOKEN;
  // The protocol promises a heartbeat every <= 15 s and a poll every <= 60 s (the server
  // refuses larger settings; clamped here too so that a hand-edited page cannot break it).
  var HEARTBEAT_MS = Math.min(15, Math.max(1, Number(cfg.heartbeat_seconds) || 15)) * 1000;
  var POLL_MS = Math.min(60, Math.max(1, Number(cfg.poll_seconds) || 60)) * 1000;
  var STATE_URL = cfg.state_url || ('/screen/' + encodeURIComponent(TOKEN) + '/state');
  var FADE_MS = 700;          // the old layer stays under the new one this long (.entering)
  var READY_TIMEOUT_MS = 2500; // longest wait for fonts/images before revealing anyway
  var FONT_FAMILY = '"Noto Sans SC"';

  var stage = document.getElementById('stage');
  var connDot = document.getElementById('conn-status');

  var state = null;         // the state being played
  var segments = [];        // parsed timeline
  var offset = 0;           // server clock - local clock (ms)
  var socket = null;
  var connected = false;
  var retryTimer = null;
  var retryCount = 0;

  var regions = {};         // region name -> element
  var layoutKey = '';
  var tickerKey = null;
  var alertsKey = null;
  var hallName = '';

  var current = null;       // {id, html, el} of the visible slide
  var pending = null;       // {seq, id, html, el} being prepared in a hidden layer
  var seq = 0;
  var holdUntil = 0;        // keep the current slide until then after a state update
  var tickTimer = null;
  var clockTimer = null;
  var timeFmt = null;
  var dateFmt = null;

  function now() { return Date.now() + offset; }
  function noop() {}
  function ts(iso) { var t = iso ? Date.parse(iso) : NaN; return isNaN(t) ? null : t; }
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function cssName(s) { return String(s || '').replace(/[^A-Za-z0-9_-]/g, '_'); }
  function delay(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }
  function toArray(list) { return Array.prototype.slice.call(list || []); }

  /* ------------------------------------------------------------------ storage */

  function loadStored() {
    try {
      var raw = window.localStorage.getItem(STORE_KEY);
      return raw ? JSON.parse(raw) : null;
    } catch (e) { return null; }
  }

  function store() {
    try {
      window.localStorage.setItem(STORE_KEY, JSON.stringify(state));
      window.localStorage.setItem(OFFSET_KEY, String(offset));
    } catch (e) { /* quota or private mode: playing from memory still works */ }
  }

  /* ------------------------------------------------------------------ stage */

  function buildStage(layout, kind) {
    var regionsList = (layout && layout.regions) || [];
    var key = JSON.stringify([layout && layout.name, layout && layout.width, layout && layout.height, regionsList, kind]);
    if (key === layoutKey) return false;
    layoutKey = key;
    var W = Number(layout.width) || 1920;
    var H = Number(layout.height) || 1080;
    stage.className = 'stage layout-' + cssName(layout.name) + ' kind-' + cssName(kind);
    stage.setAttribute('data-layout', layout.name || '');
    stage.style.width = W + 'px';
    stage.style.height = H + 'px';
    stage.innerHTML = '';
    regions = {};
    var hasMain = false;
    regionsList.forEach(function (r) {
      var el = document.createElement('div');
      el.className = 'region region-' + cssName(r.name);
      el.setAttribute('data-region', r.name);
      // Horizontal position in % so that a stage stretched to the viewport width
      // (--stage-fit: height, e.g. LED strips) stretches full-width regions with it.
      el.style.left = (100 * (Number(r.x) || 0) / W) + '%';
      el.style.width = (100 * (Number(r.w) || W) / W) + '%';
      el.style.top = (Number(r.y) || 0) + 'px';
      el.style.height = (Number(r.h) || H) + 'px';
      if (r.name === 'header') {
        el.innerHTML = '<div class="hall-name"></div>' + clockHTML();
      } else if (r.name === 'clock') {
        el.innerHTML = clockHTML();
      }
      if (r.name === 'main') hasMain = true;
      stage.appendChild(el);
      regions[r.name] = el;
    });
    if (!hasMain) { // a layout without main is a mistake; still show something
      var m = document.createElement('div');
      m.className = 'region region-main';
      m.setAttribute('data-region', 'main');
      m.style.cssText = 'left:0;top:0;width:100%;height:' + H + 'px';
      stage.appendChild(m);
      regions.main = m;
    }
    var alerts = document.createElement('div');
    alerts.id = 'alerts';
    alerts.className = 'alerts';
    stage.appendChild(alerts);
    regions.alerts = alerts;

    var link = document.getElementById('layout-css');
    var href = layout.stylesheet || ('/layouts/' + encodeURIComponent(layout.name) + '/style.css');
    if (href.charAt(0) !== '/' && !/^[a-z]+:/i.test(href)) href = '/layouts/' + encodeURIComponent(layout.name) + '/' + href;
    if (link && link.getAttribute('href') !== href) {
      link.onload = function () { fit(); refit(); };
      link.setAttribute('href', href);
    }
    current = null;
    if (pending && pending.el.parentNode) pending.el.parentNode.removeChild(pending.el);
    pending = null;
    tickerKey = null;
    alertsKey = null;
    hallName = null;
    fit();
    return true;
  }

  function clockHTML() {
    return '<div class="clock"><span class="clock-date"></span><span class="clock-time">' +
      '<span class="clock-hm"></span><span class="clock-s"></span></span></div>';
  }

  /* Scale the stage to the viewport: uniformly (letterboxed, default) or, when the layout's
     CSS sets `--stage-fit: height` on .stage, to the viewport height with the stage widened
     or narrowed to the viewport's aspect (LED strips of any length). */
  function fit() {
    if (!state || !state.layout) return;
    var W = Number(state.layout.width) || 1920;
    var H = Number(state.layout.height) || 1080;
    var vw = window.innerWidth || document.documentElement.clientWidth || W;
    var vh = window.innerHeight || document.documentElement.clientHeight || H;
    var mode = '';
    try { mode = getComputedStyle(stage).getPropertyValue('--stage-fit').trim(); } catch (e) { /* old engine */ }
    var s, w = W;
    if (mode === 'height') {
      s = vh / H;
      w = vw / s;
    } else {
      s = Math.min(vw / W, vh / H);
    }
    stage.style.width = w + 'px';
    var left = (vw - w * s) / 2;
    var top = (vh - H * s) / 2;
    stage.style.transform = 'translate(' + left + 'px,' + top + 'px) scale(' + s + ')';
  }

  /* ------------------------------------------------------------------ timeline */

  function parseTimeline(st) {
    var items = st.items || {};
    return (st.timeline || []).map(function (seg) {
      var list = (seg.items || []).filter(function (it) {
        return it && items[it.id] && Number(it.duration) > 0;
      });
      var cycle = 0;
      list.forEach(function (it) { cycle += Number(it.duration) * 1000; });
      return {
        // end null: the segment runs past the computed horizon (a group nothing ever changes)
        start: ts(seg.start), end: seg.end == null ? Infinity : ts(seg.end), mode: seg.mode, source: seg.source,
        items: list, cycle: cycle
      };
    }).filter(function (seg) { return seg.start !== null && seg.end !== null; })
      .sort(function (a, b) { return a.start - b.start; });
  }

  /* The segment playing at t. Past the end of the timeline (offline for > 24 h) the last
     segment keeps playing; in a gap the previous one does. */
  function segmentAt(t) {
    if (!segments.length) return null;
    var found = null;
    for (var i = 0; i < segments.length; i++) {
      var seg = segments[i];
      if (seg.start <= t && t < seg.end) return seg;
      if (seg.start <= t) found = seg;
    }
    return found || segments[0];
  }

  /* What shows at t: {seg, id (null = idle), slotEnd, next (time of the next possible change)}. */
  function planAt(t) {
    var seg = segmentAt(t);
    var next = t + 1000;
    if (seg && t < seg.start) next = seg.start;
    else if (seg && t < seg.end) next = seg.end;
    // the start of a later segment is a change too
    for (var i = 0; i < segments.length; i++) {
      if (segments[i].start > t) { next = Math.min(next, segments[i].start); break; }
    }
    if (!seg || !seg.items.length || !seg.cycle) {
      return { seg: seg, id: null, slotEnd: next, next: next };
    }
    var pos = (t - seg.start) % seg.cycle;
    if (pos < 0) pos += seg.cycle;
    var acc = 0;
    for (var j = 0; j < seg.items.length; j++) {
      var d = Number(seg.items[j].duration) * 1000;
      if (pos < acc + d) {
        var slotEnd = t - pos + acc + d;
        return { seg: seg, id: seg.items[j].id, slotEnd: slotEnd, next: Math.min(next, slotEnd) };
      }
      acc += d;
    }
    return { seg: seg, id: seg.items[0].id, slotEnd: next, next: next };
  }

  function segHas(seg, id) {
    if (!seg) return false;
    for (var i = 0; i < seg.items.length; i++) if (seg.items[i].id === id) return true;
    return false;
  }

  function tick() {
    clearTimeout(tickTimer);
    var t = now();
    var plan = { next: t + 1000 };
    try {
      plan = planAt(t);
      var keep = current && current.id && t < holdUntil && segHas(plan.seg, current.id);
      if (!keep) {
        holdUntil = 0;
        show(plan.id);
      }
      updateAlerts(t);
    } catch (e) {
      if (window.console) console.error('kiosk screen tick', e);
    }
    var wait = Math.max(20, Math.min(1000, (keep ? Math.min(holdUntil, plan.next) : plan.next) - t + 5));
    tickTimer = setTimeout(tick, wait);
  }

  /* ------------------------------------------------------------------ slides */

  function idleHTML() {
    return '<section class="slide slide-idle"><div class="idle-hall">' + esc(hallName || '') +
      '</div><div class="idle-note">欢迎光临</div></section>';
  }

  function show(id) {
    var item = id && state && state.items ? state.items[id] : null;
    if (id && !item) id = null;
    var html = item ? String(item.html || '') : idleHTML();
    if (pending && pending.id === id && pending.html === html) return;
    if (current && current.id === id && current.html === html) {
      if (pending) discardPending();
      return;
    }
    render(id, html);
  }

  function discardPending() {
    if (pending && pending.el.parentNode) pending.el.parentNode.removeChild(pending.el);
    pending = null;
  }

  function render(id, html) {
    var main = regions.main;
    if (!main) return;
    discardPending();
    var mySeq = ++seq;
    var el = document.createElement('div');
    el.className = 'slide-layer next';
    el.setAttribute('data-item', id || '');
    el.innerHTML = html;
    main.appendChild(el);
    var p = { seq: mySeq, id: id, html: html, el: el };
    if (!current) {
      // First frame: show at once (the text waits for its font thanks to font-display:block),
      // then fit the text again when the font is there.
      reveal(p, false);
      whenReady(el).then(function () { if (current && current.el === el) prepare(el); });
      return;
    }
    pending = p;
    prepare(el);
    whenReady(el).then(function () {
      if (!pending || pending.seq !== mySeq) return;
      prepare(el);
      reveal(p, true);
    });
  }

  function reveal(p, animate) {
    var old = current && current.el;
    p.el.className = 'slide-layer current' + (animate ? ' entering' : '');
    if (old) old.className = 'slide-layer leaving';
    current = { id: p.id, html: p.html, el: p.el };
    if (pending === p) pending = null;
    if (!animate) prepare(p.el);
    startMarquees(p.el);
    var el = p.el;
    setTimeout(function () {
      if (el.classList) el.classList.remove('entering');
      if (old && old.parentNode) old.parentNode.removeChild(old);
    }, animate ? FADE_MS : 0);
  }

  /* Resolve when the fonts the layer's text needs and its images are loaded (or on timeout). */
  function whenReady(el) {
    var waits = [];
    var text = (el.textContent || '').replace(/\s+/g, '');
    if (document.fonts && document.fonts.load && text) {
      waits.push(document.fonts.load('400 40px ' + FONT_FAMILY, text).catch(noop));
      waits.push(document.fonts.load('700 40px ' + FONT_FAMILY, text).catch(noop));
    }
    toArray(el.querySelectorAll('img')).forEach(function (img) {
      if (img.complete) return;
      waits.push(new Promise(function (resolve) {
        img.addEventListener('load', resolve);
        img.addEventListener('error', resolve);
      }));
    });
    if (!waits.length) return Promise.resolve();
    return Promise.race([Promise.all(waits), delay(READY_TIMEOUT_MS)]);
  }

  /* Shrink [data-fit] text until it fits its box: "line" = one line, "box" = its height. */
  function prepare(root) {
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
  }

  function overflows(el, mode) {
    if (mode === 'line') return el.scrollWidth > el.clientWidth + 1;
    return el.scrollHeight > el.clientHeight + 1 || el.scrollWidth > el.clientWidth + 1;
  }

  function refit() {
    if (current) { prepare(current.el); startMarquees(current.el); }
    tickerKey = null;
    renderTicker();
    alertsKey = null;
    updateAlerts(now());
  }

  /* One-line text that is wider than its box scrolls back and forth (strip lines, banners). */
  function startMarquees(root) {
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
  }

  /* ------------------------------------------------------------------ header, clock, ticker */

  function setupClock(tz) {
    var opts = { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', hour12: false };
    var dopts = { year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'long' };
    try {
      timeFmt = new Intl.DateTimeFormat('zh-CN', Object.assign({ timeZone: tz || 'Asia/Shanghai' }, opts));
      dateFmt = new Intl.DateTimeFormat('zh-CN', Object.assign({ timeZone: tz || 'Asia/Shanghai' }, dopts));
    } catch (e) {
      timeFmt = new Intl.DateTimeFormat('zh-CN', opts);
      dateFmt = new Intl.DateTimeFormat('zh-CN', dopts);
    }
  }

  function parts(fmt, d) {
    var out = {};
    if (fmt.formatToParts) {
      fmt.formatToParts(d).forEach(function (p) { out[p.type] = p.value; });
    }
    return out;
  }

  function updateClock() {
    clearTimeout(clockTimer);
    if (!timeFmt) setupClock(state && state.timezone);
    var d = new Date(now());
    var tp = parts(timeFmt, d);
    var dp = parts(dateFmt, d);
    var hm, s, date;
    if (tp.hour) {
      hm = (tp.hour === '24' ? '00' : tp.hour) + ':' + tp.minute;
      s = ':' + tp.second;
    } else {
      var full = timeFmt.format(d);
      hm = full.slice(0, 5);
      s = full.slice(5);
    }
    date = dp.year ? dp.year + '年' + dp.month + '月' + dp.day + '日 ' + (dp.weekday || '') : dateFmt.format(d);
    toArray(stage.querySelectorAll('.clock')).forEach(function (c) {
      var a = c.querySelector('.clock-hm'), b = c.querySelector('.clock-s'), e = c.querySelector('.clock-date');
      if (a && a.textContent !== hm) a.textContent = hm;
      if (b && b.textContent !== s) b.textContent = s;
      if (e && e.textContent !== date) e.textContent = date;
    });
    clockTimer = setTimeout(updateClock, 1000 - (now() % 1000) + 10);
  }

  function renderHeader() {
    var name = (state.hall && state.hall.name) || '';
    if (name === hallName) return;
    hallName = name;
    toArray(stage.querySelectorAll('.hall-name')).forEach(function (el) { el.textContent = name; });
    document.title = ((state.screen && state.screen.name) ? state.screen.name + ' · ' : '') + (name || '政务服务大厅');
  }

  function renderTicker() {
    var box = regions.ticker;
    if (!box || !state) return;
    var lines = (state.ticker || []).filter(function (x) { return x && String(x).trim(); });
    var key = JSON.stringify(lines) + '|' + (hallName || '');
    if (key === tickerKey) return;
    tickerKey = key;
    box.innerHTML = '';
    if (!lines.length) {
      var still = document.createElement('div');
      still.className = 'ticker-static';
      still.textContent = hallName || '';
      box.appendChild(still);
      return;
    }
    var track = document.createElement('div');
    track.className = 'ticker-track';
    var run = document.createElement('div');
    run.className = 'ticker-run';
    lines.forEach(function (line) {
      var s = document.createElement('span');
      s.className = 'ticker-item';
      s.textContent = String(line);
      run.appendChild(s);
    });
    track.appendChild(run);
    box.appendChild(track);
    var measure = function () {
      if (!track.parentNode) return;
      // repeat the lines until one run is at least as wide as the region: seamless loop
      var guard = 0;
      var base = toArray(run.children).map(function (n) { return n.cloneNode(true); });
      while (run.offsetWidth < box.clientWidth && guard++ < 20) {
        base.forEach(function (n) { run.appendChild(n.cloneNode(true)); });
      }
      var twin = track.querySelector('.ticker-run + .ticker-run');
      if (twin) track.removeChild(twin);
      twin = run.cloneNode(true);
      twin.setAttribute('aria-hidden', 'true');
      track.appendChild(twin);
      var speed = parseFloat(getComputedStyle(box).getPropertyValue('--ticker-speed')) || 110;
      track.style.animationDuration = Math.max(5, run.offsetWidth / speed) + 's';
      track.classList.add('is-running');
    };
    measure();
    if (document.fonts && document.fonts.load) {
      var text = lines.join('');
      Promise.all([document.fonts.load('400 40px ' + FONT_FAMILY, text), document.fonts.load('700 40px ' + FONT_FAMILY, text)])
        .then(function () {
          if (tickerKey !== key) return;
          track.classList.remove('is-running');
          while (run.children.length > lines.length) run.removeChild(run.lastChild);
          measure();
        }, noop);
    }
  }

  /* ------------------------------------------------------------------ alerts */

  function activeAlerts(t) {
    return ((state && state.alerts) || []).filter(function (a) {
      if (!a || !a.text) return false;
      var s = ts(a.starts_at), e = ts(a.expires_at);
      return (s === null || s <= t) && (e === null || t < e);
    });
  }

  var ALERT_ICON = '<svg class="alert-icon" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" ' +
    'd="M12 2 1 21h22L12 2zm0 5.5 7.5 12.5h-15L12 7.5zM11 11v4h2v-4h-2zm0 5v2h2v-2h-2z"/></svg>';

  function updateAlerts(t) {
    var box = regions.alerts;
    if (!box) return;
    var list = activeAlerts(t);
    var key = JSON.stringify(list.map(function (a) { return [a.id, a.level, a.text]; }));
    if (key === alertsKey) return;
    alertsKey = key;
    box.innerHTML = '';
    var critical = list.filter(function (a) { return a.level === 'critical'; });
    var banners = list.filter(function (a) { return a.level !== 'critical'; });
    stage.classList.toggle('has-critical', critical.length > 0);
    stage.classList.toggle('has-banner', banners.length > 0);
    if (banners.length) {
      var wrap = document.createElement('div');
      wrap.className = 'alert-banners';
      var main = regions.main;
      if (main) { // along the bottom edge of the main region (CSS lifts it by its height)
        wrap.style.left = main.style.left;
        wrap.style.width = main.style.width;
        wrap.style.top = (parseFloat(main.style.top) + parseFloat(main.style.height)) + 'px';
      }
      banners.slice(-2).forEach(function (a) {
        var b = document.createElement('div');
        b.className = 'alert alert-banner alert-' + cssName(a.level || 'info');
        b.setAttribute('data-alert-id', a.id);
        b.innerHTML = ALERT_ICON + '<div class="alert-text marquee"><span></span></div>';
        b.querySelector('.alert-text span').textContent = a.text;
        wrap.appendChild(b);
      });
      box.appendChild(wrap);
    }
    if (critical.length) {
      var c = document.createElement('div');
      c.className = 'alert alert-critical';
      c.setAttribute('role', 'alert');
      c.setAttribute('data-alert-id', critical[critical.length - 1].id);
      var html = '<div class="alert-head">' + ALERT_ICON + '<span>紧急通知</span></div><div class="alert-body" data-fit="box" data-fit-grow="1.5">';
      // each line is a .marquee that wraps normally; a one-line layout (LED strip) makes it
      // nowrap in its CSS and it scrolls
      critical.slice(-3).reverse().forEach(function (a) {
        html += '<p class="alert-line marquee"><span>' + esc(a.text) + '</span></p>';
      });
      c.innerHTML = html + '</div>';
      box.appendChild(c);
    }
    prepare(box);
    startMarquees(box);
    if (document.fonts && document.fonts.load && list.length) {
      var text = list.map(function (a) { return a.text; }).join('') + '紧急通知';
      document.fonts.load('700 40px ' + FONT_FAMILY, text).then(function () {
        if (alertsKey === key) { prepare(box); startMarquees(box); }
      }, noop);
    }
  }

  /* ------------------------------------------------------------------ state */

  /* Apply a state. receivedAt = local time it arrived from the server (sets the clock
     offset), or null for a state from storage. Returns true when the version changed. */
  function apply(st, receivedAt) {
    if (!st || typeof st !== 'object' || !st.version) return false;
    if (receivedAt && st.server_time && ts(st.server_time) !== null) {
      offset = ts(st.server_time) - receivedAt;
    }
    if (state && state.version === st.version) {
      if (receivedAt) store();
      return false;
    }
    var tzChanged = !state || state.timezone !== st.timezone;
    state = st;
    segments = parseTimeline(st);
    document.body.setAttribute('data-version', st.version);
    store();
    var kind = (st.screen && (st.screen.kind || st.screen.layout)) || cfg.screen_kind || '';
    if (st.layout) buildStage(st.layout, kind);
    if (tzChanged) setupClock(st.timezone);
    renderHeader();
    renderTicker();
    alertsKey = null;
    updateClock();

    // Keep the slide on screen if it is still part of what plays now: it stays until the
    // end of the current slot, then the wall-clock rotation takes over again.
    var t = now();
    var plan = planAt(t);
    var switching = pending && pending.id === plan.id; // already on its way to the right slide
    if (!switching && current && current.id && st.items && st.items[current.id] && segHas(plan.seg, current.id)) {
      holdUntil = current.id === plan.id ? 0 : plan.slotEnd;
      var html = String(st.items[current.id].html || '');
      if (html !== current.html) render(current.id, html); // content edited: cross-fade in place
    } else {
      holdUntil = 0;
    }
    tick();
    return true;
  }

  function showing() {
    return current && current.id ? current.id : null;
  }

  /* ------------------------------------------------------------------ network */

  function setOnline(value) {
    connected = !!value;
    if (connDot) {
      connDot.setAttribute('data-online', connected ? 'true' : 'false');
      connDot.title = connected ? '已连接' : '离线：继续播放本地内容';
    }
  }

  function heartbeat() {
    if (socket && socket.connected) {
      socket.emit('heartbeat', { version: state ? state.version : null, showing: showing() });
    }
  }

  function retryLater() {
    // The server refused us (bad/revoked token) or dropped us: Socket.IO will not retry by
    // itself then, so back off (jittered) and try again; rotation goes on meanwhile.
    clearTimeout(retryTimer);
    var base = Math.min(300000, 5000 * Math.pow(2, retryCount++));
    retryTimer = setTimeout(function () {
      if (socket && !socket.connected) socket.connect();
    }, base * (0.5 + Math.random()));
  }

  function connect() {
    if (typeof window.io !== 'function') { setOnline(false); return; }
    socket = window.io('/display', {
      auth: { token: TOKEN },
      transports: ['websocket'],
      reconnectionDelay: 1000,
      reconnectionDelayMax: 30000,
      randomizationFactor: 0.5
    });
    socket.on('connect', function () {
      retryCount = 0;
      clearTimeout(retryTimer);
      setOnline(true);
      heartbeat();
    });
    socket.on('disconnect', function (reason) {
      setOnline(false);
      if (reason === 'io server disconnect') retryLater();
    });
    socket.on('connect_error', function (err) {
      setOnline(false);
      if (window.console) console.warn('kiosk screen: connect_error', err && (err.data && err.data.code || err.message));
      if (!socket.active) retryLater();
    });
    socket.on('state', function (st) {
      apply(st, Date.now());
      heartbeat();
    });
    // Staff panel (kiosk/admin/screens.py): server -> screen only.
    socket.on('reload', function () { window.location.reload(); });
    socket.on('identify', function (p) {
      var old = document.getElementById('identify-overlay');
      if (old) old.parentNode.removeChild(old);
      var box = document.createElement('div');
      box.id = 'identify-overlay';
      box.setAttribute('data-testid', 'identify');
      box.textContent = String((p && p.name) || '');
      box.style.cssText = 'position:fixed;inset:0;z-index:99999;display:flex;align-items:center;justify-content:center;' +
        'background:#0b2a4a;color:#fff;font:700 12vw/1.2 "Noto Sans SC",sans-serif;text-align:center;padding:4vw';
      document.body.appendChild(box);
      setTimeout(function () { if (box.parentNode) box.parentNode.removeChild(box); },
        Math.min(60, Number(p && p.seconds) || 10) * 1000);
    });
  }

  function poll() {
    var sent = Date.now();
    var url = STATE_URL + (STATE_URL.indexOf('?') < 0 ? '?' : '&') + 'since=' + encodeURIComponent(state ? state.version : '');
    // jittered downwards only (0.7-1.0×) so that screens spread out but never exceed POLL_MS
    var done = function () { setTimeout(poll, POLL_MS * (0.7 + Math.random() * 0.3)); };
    if (!window.fetch) { done(); return; }
    window.fetch(url, { cache: 'no-store', credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (res) {
        if (res.status !== 200) return null;
        return res.json().then(function (st) {
          if (apply(st, (sent + Date.now()) / 2)) heartbeat();
        });
      })
      .catch(noop)
      .then(done);
  }

  /* Cache the page and its files in a service worker, so that a reload while the server is
     down still finds them (see screen-sw.js; needs a secure context: https or localhost). */
  function registerServiceWorker() {
    var swUrl = cfg.service_worker;
    if (!swUrl || !('serviceWorker' in navigator) || window.isSecureContext === false) return;
    navigator.serviceWorker.register(swUrl, { scope: cfg.service_worker_scope || '/screen/' })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (reg) {
        var warm = function () {
          var seen = {};
          var urls = [location.href];
          toArray(document.querySelectorAll('link[rel="stylesheet"][href], script[src], img[src]')).forEach(function (el) {
            urls.push(el.href || el.src);
          });
          if (window.performance && performance.getEntriesByType) {
            performance.getEntriesByType('resource').forEach(function (e) { urls.push(e.name); });
          }
          urls = urls.filter(function (u) { if (seen[u]) return false; seen[u] = true; return true; });
          if (reg.active) reg.active.postMessage({ type: 'warm', urls: urls });
        };
        warm();
        setTimeout(warm, 30000); // font slices loaded before the worker took over
      })
      .catch(function (e) {
        if (window.console) console.warn('kiosk screen: no service worker', e && e.message);
      });
  }

  /* ------------------------------------------------------------------ start */

  window.kioskScreen = {
    get state() { return state; },
    showing: showing,
    online: function () { return connected; },
    now: now,
    version: function () { return state ? state.version : null; },
    get socket() { return socket; },
    // fit text and start scrolling lines in an element holding slide HTML (previews)
    prepare: function (el) { prepare(el); startMarquees(el); }
  };

  (function start() {
    var embedded = readJSON('initial-state');
    var stored = loadStored();
    var te = embedded && ts(embedded.server_time);
    var tsd = stored && ts(stored.server_time);
    if (stored && stored.version && (!embedded || !embedded.version || (tsd !== null && (te === null || tsd > te)))) {
      var off = 0;
      try { off = Number(window.localStorage.getItem(OFFSET_KEY)) || 0; } catch (e) { /* ignore */ }
      offset = off;
      apply(stored, null);
    } else if (embedded) {
      apply(embedded, Date.now());
    }
    setOnline(false);
    window.addEventListener('resize', function () { fit(); });
    if (document.fonts && document.fonts.addEventListener) {
      document.fonts.addEventListener('loadingdone', function () {
        if (current) { prepare(current.el); startMarquees(current.el); }
      });
    }
    setInterval(heartbeat, HEARTBEAT_MS);
    setTimeout(poll, POLL_MS * (0.5 + Math.random() * 0.5));
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', connect);
    } else {
      connect();
    }
    if (document.readyState === 'complete') registerServiceWorker();
    else window.addEventListener('load', registerServiceWorker);
  })();
})();
