/*
 * Screen page, part 3 of 7: the stage. It is drawn at the layout's size in layout pixels
 * (docs/layouts.md) and scaled with a transform to the window, so one layout serves panels of
 * any resolution; a state with another layout rebuilds it.
 */
(function (K) {
  'use strict';

  var layoutKey = '';

  /* Build the regions of ``layout``; returns false when the same layout is already built. */
  K.buildStage = function (layout, kind) {
    var stage = K.stage;
    var cssName = K.cssName;
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
    var regions = K.regions = {};
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
      link.onload = function () { K.fit(); K.refit(); };
      link.setAttribute('href', href);
    }
    K.current = null;
    if (K.pending && K.pending.el.parentNode) K.pending.el.parentNode.removeChild(K.pending.el);
    K.pending = null;
    K.tickerKey = null;
    K.alertsKey = null;
    K.hallName = null;
    K.fit();
    return true;
  };

  function clockHTML() {
    return '<div class="clock"><span class="clock-date"></span><span class="clock-time">' +
      '<span class="clock-hm"></span><span class="clock-s"></span></span></div>';
  }

  /* Scale the stage to the viewport: uniformly (letterboxed, default) or, when the layout's
     CSS sets `--stage-fit: height` on .stage, to the viewport height with the stage widened
     or narrowed to the viewport's aspect (LED strips of any length). */
  K.fit = function () {
    var state = K.state;
    var stage = K.stage;
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
  };
})(window.kioskDisplay);
