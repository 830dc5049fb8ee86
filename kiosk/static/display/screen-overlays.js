/*
 * Screen page, part 5 of 7: what is drawn around and above the slides — the hall name, the
 * clock (in the hall's time zone, corrected by the server's clock offset), the ticker and the
 * alerts. Alerts are overlays: posting or cancelling one never restarts the rotation.
 * Everything people typed goes in with textContent or K.esc.
 */
(function (K) {
  'use strict';

  var toArray = K.toArray;
  var clockTimer = null;
  var timeFmt = null;
  var dateFmt = null;

  /* ------------------------------------------------------------------ header, clock */

  K.setupClock = function (tz) {
    var opts = { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', hour12: false };
    var dopts = { year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'long' };
    try {
      timeFmt = new Intl.DateTimeFormat('zh-CN', Object.assign({ timeZone: tz || 'Asia/Shanghai' }, opts));
      dateFmt = new Intl.DateTimeFormat('zh-CN', Object.assign({ timeZone: tz || 'Asia/Shanghai' }, dopts));
    } catch (e) {
      timeFmt = new Intl.DateTimeFormat('zh-CN', opts);
      dateFmt = new Intl.DateTimeFormat('zh-CN', dopts);
    }
  };

  function parts(fmt, d) {
    var out = {};
    if (fmt.formatToParts) {
      fmt.formatToParts(d).forEach(function (p) { out[p.type] = p.value; });
    }
    return out;
  }

  K.updateClock = function () {
    clearTimeout(clockTimer);
    if (!timeFmt) K.setupClock(K.state && K.state.timezone);
    var d = new Date(K.now());
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
    toArray(K.stage.querySelectorAll('.clock')).forEach(function (c) {
      var a = c.querySelector('.clock-hm'), b = c.querySelector('.clock-s'), e = c.querySelector('.clock-date');
      if (a && a.textContent !== hm) a.textContent = hm;
      if (b && b.textContent !== s) b.textContent = s;
      if (e && e.textContent !== date) e.textContent = date;
    });
    clockTimer = setTimeout(K.updateClock, 1000 - (K.now() % 1000) + 10);
  };

  K.renderHeader = function () {
    var state = K.state;
    var name = (state.hall && state.hall.name) || '';
    if (name === K.hallName) return;
    K.hallName = name;
    toArray(K.stage.querySelectorAll('.hall-name')).forEach(function (el) { el.textContent = name; });
    document.title = ((state.screen && state.screen.name) ? state.screen.name + ' · ' : '') + (name || '政务服务大厅');
  };

  /* ------------------------------------------------------------------ ticker */

  K.renderTicker = function () {
    var box = K.regions.ticker;
    var state = K.state;
    if (!box || !state) return;
    var lines = (state.ticker || []).filter(function (x) { return x && String(x).trim(); });
    var key = JSON.stringify(lines) + '|' + (K.hallName || '');
    if (key === K.tickerKey) return;
    K.tickerKey = key;
    box.innerHTML = '';
    if (!lines.length) {
      var still = document.createElement('div');
      still.className = 'ticker-static';
      still.textContent = K.hallName || '';
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
      Promise.all([document.fonts.load('400 40px ' + K.FONT_FAMILY, text), document.fonts.load('700 40px ' + K.FONT_FAMILY, text)])
        .then(function () {
          if (K.tickerKey !== key) return;
          track.classList.remove('is-running');
          while (run.children.length > lines.length) run.removeChild(run.lastChild);
          measure();
        }, K.noop);
    }
  };

  /* ------------------------------------------------------------------ alerts */

  function activeAlerts(t) {
    var state = K.state;
    return ((state && state.alerts) || []).filter(function (a) {
      if (!a || !a.text) return false;
      var s = K.ts(a.starts_at), e = K.ts(a.expires_at);
      return (s === null || s <= t) && (e === null || t < e);
    });
  }

  var ALERT_ICON = '<svg class="alert-icon" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" ' +
    'd="M12 2 1 21h22L12 2zm0 5.5 7.5 12.5h-15L12 7.5zM11 11v4h2v-4h-2zm0 5v2h2v-2h-2z"/></svg>';

  /* Draw the alerts active at t (the same markup as kiosk/templates/admin/alerts_frame.html). */
  K.updateAlerts = function (t) {
    var regions = K.regions;
    var stage = K.stage;
    var box = regions.alerts;
    if (!box) return;
    var list = activeAlerts(t);
    var key = JSON.stringify(list.map(function (a) { return [a.id, a.level, a.text]; }));
    if (key === K.alertsKey) return;
    K.alertsKey = key;
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
        b.className = 'alert alert-banner alert-' + K.cssName(a.level || 'info');
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
        html += '<p class="alert-line marquee"><span>' + K.esc(a.text) + '</span></p>';
      });
      c.innerHTML = html + '</div>';
      box.appendChild(c);
    }
    K.prepare(box);
    K.startMarquees(box);
    if (document.fonts && document.fonts.load && list.length) {
      var text = list.map(function (a) { return a.text; }).join('') + '紧急通知';
      document.fonts.load('700 40px ' + K.FONT_FAMILY, text).then(function () {
        if (K.alertsKey === key) { K.prepare(box); K.startMarquees(box); }
      }, K.noop);
    }
  };

  /* The layout's stylesheet or the fonts changed the sizes: fit everything again. */
  K.refit = function () {
    var current = K.current;
    if (current) { K.prepare(current.el); K.startMarquees(current.el); }
    K.tickerKey = null;
    K.renderTicker();
    K.alertsKey = null;
    K.updateAlerts(K.now());
  };
})(window.kioskDisplay);
