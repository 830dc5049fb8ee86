/*
 * Touch kiosk UI, part 3 of 6: the search page with its on-screen input.
 *
 * No system keyboard ever appears (there is no input element): a letter keyboard for pinyin
 * and initials (sfz → 身份证) with digits, backspace and clear, and a handwriting panel (手写)
 * for visitors who cannot type pinyin: the strokes of one character go to the server
 * (POST …/kiosk/handwriting, Zinnia), the candidates come back and a tap adds one.
 * Results are live: every key press or picked character asks GET /api/v1/guides?q= (the
 * search engine is the server's business; this page shows what it answers, in its order).
 */
(function (T) {
  'use strict';

  var h = T.h;
  var MAX_QUERY = 40;
  var SETTLE_MS = 1500; // a query left unchanged this long counts as one search (visit record)

  var query = '';
  var mode = 'keys';       // 'keys' | 'hand'
  var searchSeq = 0;
  var searchCtrl = null;
  var lastResults = null;  // {query, guides}
  var recorded = '';       // the last query recorded as a search
  var settleTimer = null;
  var strokes = [];        // handwriting: [[[x, y], …], …] of the character being written
  var handSeq = 0;

  T.resetHooks.push(function () {
    query = ''; mode = 'keys'; lastResults = null; recorded = ''; strokes = [];
    clearTimeout(settleTimer);
    if (searchCtrl) searchCtrl.abort();
    searchSeq++; handSeq++;
  });

  function els() {
    return {
      text: document.getElementById('touch-query-text'),
      results: document.getElementById('touch-results'),
      count: document.getElementById('touch-results-count')
    };
  }

  /* ------------------------------------------------------------------ query and results */

  function setQuery(q) {
    query = q.slice(0, MAX_QUERY);
    var e = els();
    if (e.text) {
      e.text.textContent = query;
      e.text.parentNode.classList.toggle('is-empty', !query);
    }
    runSearch();
  }

  function recordSearch() {
    clearTimeout(settleTimer);
    if (!lastResults || !lastResults.query || lastResults.query === recorded) return;
    recorded = lastResults.query;
    T.record({ kind: 'search', query: lastResults.query, results: lastResults.guides.length });
  }

  function runSearch() {
    var e = els();
    clearTimeout(settleTimer);
    if (searchCtrl) searchCtrl.abort();
    var q = query.trim();
    var mySeq = ++searchSeq;
    if (!q) {
      lastResults = null;
      renderResults(null);
      return;
    }
    if (!T.online()) {
      renderResults({ offline: true });
      return;
    }
    if (e.count) e.count.textContent = '正在查找…';
    searchCtrl = window.AbortController ? new AbortController() : null;
    var url = (T.cfg.search_url || '/api/v1/search') + '?limit=30&q=' + encodeURIComponent(q);
    T.fetchJSON(url, { signal: searchCtrl ? searchCtrl.signal : undefined, cache: 'no-store' }).then(function (data) {
      if (mySeq !== searchSeq) return;
      // /api/v1/search answers `results` (guides and bundles); /api/v1/guides `guides`
      var found = (data && (data.results || data.guides)) || [];
      lastResults = { query: q, guides: found };
      renderResults(lastResults);
      settleTimer = setTimeout(recordSearch, SETTLE_MS);
    }, function (err) {
      if (mySeq !== searchSeq || (err && err.aborted)) return;
      renderResults(err && err.offline ? { offline: true } : { error: (err && err.error && err.error.message) || '搜索暂时不可用' });
    });
  }

  function renderResults(r) {
    var e = els();
    if (!e.results) return;
    T.clear(e.results);
    // which query the list answers (live results replace each other as keys are pressed)
    e.results.setAttribute('data-query', (r && r.query) || '');
    if (!r) {
      e.count.textContent = mode === 'hand' ? '请在下方方框内用手指写字，写一个字选一个字'
        : '请用键盘输入拼音首字母或全拼' + (T.cfg.handwriting ? '，不会拼音可以切换到手写' : '');
      return;
    }
    if (r.offline) {
      e.count.textContent = '';
      e.results.appendChild(T.needsNetwork('搜索'));
      return;
    }
    if (r.error) {
      e.count.textContent = r.error;
      return;
    }
    if (!r.guides.length) {
      e.count.textContent = '没有找到“' + r.query + '”相关的办事指南';
      e.results.appendChild(h('div', { class: 't-noresult' }, [
        h('p', null, '换个说法试试，或回到首页按主题、部门查找。'),
        T.button('按主题和部门查找', function () { T.go('home'); }, { class: 't-btn t-btn-primary' })
      ]));
      return;
    }
    e.count.textContent = '找到 ' + r.guides.length + ' 项';
    r.guides.forEach(function (g) {
      var open = function () {
        recordSearch(); // a result opened: the search was made
        if (g.kind === 'bundle') T.go('bundle', { code: g.code });
        else T.go('guide', { id: g.id });
      };
      e.results.appendChild(g.kind === 'bundle' ? T.bundleRow(g, { onclick: open }) : T.guideRow(g, { onclick: open }));
    });
    var area = e.results.closest('.t-scroll');
    if (area) { area.scrollTop = 0; T.updatePager(area); }
  }

  /* ------------------------------------------------------------------ keyboard */

  var ROWS = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];

  /* One key: `value` names it for tests and tools (data-key), `aria` when the label is an icon. */
  function key(label, value, onclick, cls, aria) {
    return h('button', { type: 'button', class: 't-key' + (cls ? ' ' + cls : ''), 'aria-label': aria || null,
      'data-key': value, onclick: onclick }, label);
  }

  function keyboard() {
    var rows = ROWS.map(function (row, i) {
      var keys = row.split('').map(function (c) {
        return key(c.toUpperCase(), c, function () { setQuery(query + c); }, /\d/.test(c) ? 't-key-digit' : null);
      });
      if (i === 3) {
        var bs = key('', 'backspace', function () { setQuery(query.slice(0, -1)); }, 't-key-wide t-key-fn', '退格');
        bs.insertAdjacentHTML('afterbegin', T.ICONS.backspace);
        bs.appendChild(h('span', { class: 't-key-label' }, '退格'));
        keys.push(bs);
      }
      return h('div', { class: 't-keyrow' }, keys);
    });
    rows.push(h('div', { class: 't-keyrow' }, [
      key('清空', 'clear', function () { setQuery(''); }, 't-key-wide t-key-fn'),
      key('空格', 'space', function () { if (query && query.slice(-1) !== ' ') setQuery(query + ' '); }, 't-key-space t-key-fn')
    ]));
    return h('div', { class: 't-keyboard', 'data-testid': 'keyboard' }, rows);
  }

  /* ------------------------------------------------------------------ handwriting */

  function handPanel() {
    var canvas = h('canvas', { class: 't-hand-canvas', 'data-testid': 'hand-canvas', 'aria-label': '手写区：请用手指写一个字' });
    var cands = h('div', { class: 't-cands', 'data-testid': 'candidates', 'aria-live': 'polite' });
    var hint = h('p', { class: 't-hand-hint' }, '请在方框内用手指写一个字，写完后点选下方的字');
    var rewrite = T.button('重写', function () { clearCanvas(); }, { class: 't-btn t-key-fn' });
    var bs = T.button('退格', function () { setQuery(query.slice(0, -1)); }, { class: 't-btn t-key-fn', 'aria-label': '退格' });
    var panel = h('div', { class: 't-hand', 'data-testid': 'hand' }, [
      h('div', { class: 't-hand-pad' }, [canvas, hint]),
      h('div', { class: 't-hand-side' }, [cands, h('div', { class: 't-hand-tools' }, [rewrite, bs])])
    ]);
    var ctx = null;
    var drawing = null; // the stroke being written

    function size() {
      var r = canvas.getBoundingClientRect();
      var dpr = window.devicePixelRatio || 1;
      canvas.width = Math.round(r.width * dpr);
      canvas.height = Math.round(r.height * dpr);
      ctx = canvas.getContext('2d');
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      redrawInk();
    }

    function redrawInk() {
      if (!ctx) return;
      var r = canvas.getBoundingClientRect();
      ctx.clearRect(0, 0, r.width, r.height);
      ctx.lineWidth = Math.max(6, r.width / 50);
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      ctx.strokeStyle = '#111';
      strokes.forEach(function (s) {
        ctx.beginPath();
        s.forEach(function (p, i) { if (i) ctx.lineTo(p[0], p[1]); else ctx.moveTo(p[0], p[1]); });
        if (s.length === 1) ctx.lineTo(s[0][0] + 0.1, s[0][1]);
        ctx.stroke();
      });
    }

    function point(ev) {
      var r = canvas.getBoundingClientRect();
      return [Math.round(Math.max(0, Math.min(r.width, ev.clientX - r.left))),
        Math.round(Math.max(0, Math.min(r.height, ev.clientY - r.top)))];
    }

    canvas.addEventListener('pointerdown', function (ev) {
      if (!T.online()) return;
      ev.preventDefault();
      if (canvas.setPointerCapture) { try { canvas.setPointerCapture(ev.pointerId); } catch (e) { /* synthetic */ } }
      drawing = [point(ev)];
      strokes.push(drawing);
      hint.hidden = true;
      redrawInk();
    });
    canvas.addEventListener('pointermove', function (ev) {
      if (!drawing) return;
      var p = point(ev), last = drawing[drawing.length - 1];
      if (Math.abs(p[0] - last[0]) + Math.abs(p[1] - last[1]) < 3) return;
      drawing.push(p);
      redrawInk();
    });
    var end = function () {
      if (!drawing) return;
      drawing = null;
      recognise();
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);

    function clearCanvas() {
      strokes = [];
      drawing = null;
      handSeq++;
      T.clear(cands);
      cands.setAttribute('data-strokes', '0');
      hint.hidden = false;
      redrawInk();
    }

    function recognise() {
      var r = canvas.getBoundingClientRect();
      var mySeq = ++handSeq;
      var body = { strokes: strokes.slice(0, 40), width: Math.max(16, Math.round(r.width)), height: Math.max(16, Math.round(r.height)) };
      T.fetchJSON(T.cfg.handwriting_url, { method: 'POST', body: body, cache: 'no-store' }).then(function (data) {
        if (mySeq !== handSeq) return;
        T.clear(cands);
        cands.setAttribute('data-strokes', String(body.strokes.length)); // how many strokes they answer
        ((data && data.candidates) || []).slice(0, 10).forEach(function (ch) {
          cands.appendChild(h('button', { type: 'button', class: 't-cand', 'data-char': ch, onclick: function () {
            setQuery(query + ch);
            clearCanvas();
          } }, ch));
        });
      }, function (err) {
        if (mySeq !== handSeq) return;
        T.clear(cands);
        cands.appendChild(err && err.offline ? T.needsNetwork('手写识别') :
          h('p', { class: 't-hand-error' }, (err && err.error && err.error.message) || '暂时无法识别，请重写'));
      });
    }

    panel._init = function () { size(); };
    return panel;
  }

  /* ------------------------------------------------------------------ the page */

  T.defineView('search', {
    title: '搜索办事指南',
    render: function () {
      var text = h('span', { id: 'touch-query-text', class: 't-query-text' }, query);
      var box = h('div', { class: 't-query' + (query ? '' : ' is-empty'), role: 'status', 'aria-label': '已输入的搜索内容',
        'data-testid': 'query' }, [h('span', { icon: 'search' }), text, h('span', { class: 't-caret', 'aria-hidden': 'true' }),
        h('span', { class: 't-query-placeholder' }, '输入拼音首字母，如 sfz')]);
      var results = h('div', { id: 'touch-results', class: 't-rows t-results', 'data-testid': 'results' });
      var count = h('p', { id: 'touch-results-count', class: 't-results-count', 'aria-live': 'polite' });
      var input = h('div', { class: 't-input' });
      var tabs = null;
      if (T.cfg.handwriting) {
        var tabKeys = h('button', { type: 'button', class: 't-tab', role: 'tab', icon: 'keyboard', onclick: function () { setMode('keys'); } },
          h('span', null, '拼音 / 字母'));
        var tabHand = h('button', { type: 'button', class: 't-tab', role: 'tab', icon: 'pen', 'data-testid': 'tab-hand',
          onclick: function () { setMode('hand'); } }, h('span', null, '手写'));
        tabs = h('div', { class: 't-tabs', role: 'tablist', 'aria-label': '输入方式' }, [tabKeys, tabHand]);
      }
      function setMode(m) {
        mode = m === 'hand' && T.cfg.handwriting ? 'hand' : 'keys';
        if (tabs) {
          tabs.children[0].setAttribute('aria-selected', mode === 'keys' ? 'true' : 'false');
          tabs.children[1].setAttribute('aria-selected', mode === 'hand' ? 'true' : 'false');
        }
        T.clear(input);
        var panel = mode === 'hand' ? handPanel() : keyboard();
        input.appendChild(panel);
        if (panel._init) setTimeout(panel._init, 0);
        if (mode === 'hand') T.record({ kind: 'page_view', page: 'handwriting' });
        if (!query) renderResults(null);
      }
      var page = h('div', { class: 't-search' }, [
        h('div', { class: 't-search-results' }, [box, count, T.scroller(results)]),
        h('div', { class: 't-search-input' }, [tabs, input])
      ]);
      setMode(mode);
      setTimeout(function () { if (query) runSearch(); else renderResults(null); }, 0);
      return page;
    }
  });

  T.offlineHooks.push(function () {
    if (T.view.getAttribute('data-view') === 'search' && query) runSearch();
  });
})(window.kioskTouch);
