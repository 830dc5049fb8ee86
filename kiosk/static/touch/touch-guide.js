/*
 * Touch kiosk UI, part 4 of 6: the guide page, the bundle page and the 样表 viewer.
 *
 * A guide shows every element of the national 办事指南 in the order a visitor needs them
 * (conditions, materials, process, time limits, fees, where, when, phones, FAQ), in a scroll
 * area paged by large buttons, with section buttons to jump. The QR code to the phone page
 * (/g/<code>) stays in view, large enough to scan from half a metre. A material's 样表 opens
 * full screen with pinch and button zoom. Guides come from GET /api/v1/guides/<id>, bundles
 * from GET /api/v1/bundles/<code>; both are cached by the service worker for offline use.
 */
(function (T) {
  'use strict';

  var h = T.h;

  function loading(text) { return h('p', { class: 't-empty', role: 'status' }, text || '正在打开…'); }

  function failed(err, what) {
    if (err && err.offline) return T.needsNetwork('打开这份' + what);
    if (err && err.status === 404) return h('p', { class: 't-empty' }, '这份' + what + '已下线或更新，请返回重新查找。');
    return h('p', { class: 't-empty' }, '暂时无法打开，请稍后再试或咨询导办人员。');
  }

  /* Load JSON into a placeholder; the visit may have moved on meanwhile (then do nothing). */
  function into(holder, url, build, what) {
    var visit = T.visitId;
    T.fetchJSON(url).then(function (data) {
      if (T.visitId !== visit || !holder.isConnected) return;
      T.clear(holder);
      holder.appendChild(build(data));
      var area = holder.querySelector('.t-scroll');
      if (area) T.updatePager(area);
    }, function (err) {
      if (T.visitId !== visit || !holder.isConnected) return;
      T.clear(holder);
      holder.appendChild(failed(err, what));
    });
  }

  /* A section of the page; `chip` is its short name on the jump buttons. */
  function block(id, title, body, chip) {
    if (!body || (Array.isArray(body) && !body.length)) return null;
    return h('section', { class: 't-block', id: 'tb-' + id, 'data-section': id, 'data-chip': chip || title },
      [h('h2', { class: 't-block-title' }, title), body]);
  }

  function rows(pairs) {
    var items = pairs.filter(function (p) { return p[1] !== null && p[1] !== undefined && p[1] !== ''; });
    if (!items.length) return null;
    return h('dl', { class: 't-facts' }, items.map(function (p) {
      return h('div', { class: 't-fact' }, [h('dt', null, p[0]), h('dd', null, String(p[1]))]);
    }));
  }

  function prose(text) { return text ? h('p', { class: 't-prose' }, text) : null; }

  /* One material: name, original/copy and count, 必要/容缺, note, and its 样表 / 空表. */
  function material(m, i, owner, ref) {
    var tags = [h('span', { class: 't-tag' }, (m.form || '原件') + ' ' + (m.copies || 1) + ' 份'),
      h('span', { class: 't-tag ' + (m.necessity === '容缺' ? 't-tag-optional' : 't-tag-required') },
        m.necessity === '容缺' ? '容缺（可后补）' : (m.necessity || '必要'))];
    var actions = [];
    if (m.sample_form_url) {
      actions.push(T.button([h('span', { icon: 'form' }), '查看样表'], function () {
        T.openForm(m.sample_form_url, m.name, owner, ref);
      }, { class: 't-btn t-btn-secondary', 'data-testid': 'open-sample' }));
    }
    return h('li', { class: 't-material' }, [
      h('span', { class: 't-material-num', 'aria-hidden': 'true' }, String(i + 1)),
      h('div', { class: 't-material-body' }, [
        h('p', { class: 't-material-name' }, m.name),
        h('p', { class: 't-material-tags' }, tags),
        m['for'] && m['for'].length ? h('p', { class: 't-material-note' }, '用于：' + m['for'].join('、')) : null,
        m.note ? h('p', { class: 't-material-note' }, m.note) : null,
        actions.length ? h('div', { class: 't-material-actions' }, actions) : null
      ])
    ]);
  }

  function phones(text) { return text ? String(text) : null; }

  function visits(n) { return n === 0 ? '0 次（全程网办）' : (n || 1) + ' 次'; }

  /* The four facts a visitor looks for first, at the top of the page. */
  function glance(pairs) {
    return h('dl', { class: 't-glance' }, pairs.map(function (p) {
      return h('div', { class: 't-glance-item' }, [h('dt', null, p[0]), h('dd', null, p[1])]);
    }));
  }

  function sectionTabs(sections) {
    var present = sections.filter(Boolean);
    return h('nav', { class: 't-chips', 'aria-label': '本页内容' }, present.map(function (s) {
      return h('button', { type: 'button', class: 't-chip', onclick: function () {
        T.scrollTo(document.getElementById('tb-' + s.getAttribute('data-section')));
      } }, s.getAttribute('data-chip'));
    }));
  }

  function qrCard(g) {
    return h('figure', { class: 't-qr', 'data-testid': 'qr' }, [
      h('img', { class: 't-qr-img', src: g.qr_svg_url || ('/g/' + encodeURIComponent(g.code) + '/qr.svg'),
        alt: '本指南的二维码', width: 320, height: 320 }),
      h('figcaption', null, [h('strong', null, '手机扫码 带走指南'), h('span', null, '用微信或相机扫描，随时查看材料清单')])
    ]);
  }

  function rateButton(params) {
    return T.button([h('span', { icon: 'star' }), '评价本次服务'], function () { T.go('rating', params); },
      { class: 't-btn t-btn-primary t-btn-big t-rate-btn', 'data-testid': 'rate' });
  }

  function buildGuide(g, entry) {
    if (!entry.recorded) { entry.recorded = true; T.record({ kind: 'guide_view', guide: g.code }); }
    var tags = [g.case_type, g.item_type, g.scope && g.scope !== '无' ? g.scope : null]
      .filter(Boolean).map(function (t) { return h('span', { class: 't-tag' }, t); });
    if (g.online) tags.push(h('span', { class: 't-tag t-tag-online' }, '可网上办理'));
    var mats = (g.materials || []).length
      ? h('ol', { class: 't-materials' }, g.materials.map(function (m, i) { return material(m, i, g.name, { guide: g.code }); }))
      : prose('无需提交申请材料。');
    var steps = (g.process || []).length ? h('ol', { class: 't-steps' }, g.process.map(function (s) {
      var parts = String(s).split('：');
      return h('li', null, parts.length > 1 && parts[0].length <= 8
        ? [h('strong', null, parts[0]), h('span', null, parts.slice(1).join('：'))] : h('span', null, s));
    })) : null;
    var faq = (g.faq || []).length ? h('div', { class: 't-faq' }, g.faq.map(function (f) {
      return h('div', { class: 't-faq-item' }, [h('p', { class: 't-faq-q' }, '问：' + (f.q || '')), h('p', { class: 't-faq-a' }, '答：' + (f.a || ''))]);
    })) : null;
    var online = g.online
      ? '本事项可网上办理：请登录河南政务服务网或“豫事办”搜索“' + g.name + '”，也可扫码在手机上查看。'
      : '本事项需到窗口办理，请按材料清单准备齐全，争取一次办成。';
    var sections = [
      block('conditions', '受理条件', prose(g.conditions), '条件'),
      block('materials', '申请材料（共 ' + (g.materials || []).length + ' 项）', mats, '材料'),
      block('process', '办理流程', steps, '流程'),
      block('limits', '办理时限', rows([['承诺时限', T.days(g.promised_limit_days) || '无'], ['法定时限', T.days(g.legal_limit_days) || '无'],
        ['到现场次数', visits(g.visits)]]), '时限'),
      block('fee', '收费标准', prose(g.fee || '不收费'), '收费'),
      block('where', '办理窗口与地点', rows([['办理窗口', g.window], ['办理地点', g.location]]), '窗口'),
      block('hours', '办理时间', prose(g.hours), '时间'),
      block('phones', '咨询与投诉电话', rows([['咨询电话', phones(g.phone)], ['监督投诉', phones(g.complaint_phone)]]), '电话'),
      block('faq', '常见问题', faq, '问答'),
      block('online', '网上办理', prose(online), '网办'),
      block('basis', '设定依据', prose(g.basis), '依据')
    ];
    return page('t-guide', g.code, [
      h('header', { class: 't-guide-head' }, [
        h('div', { class: 't-guide-title' }, [
          h('h1', { class: 't-h1' }, g.name),
          h('p', { class: 't-sub' }, g.department || ''),
          h('p', { class: 't-tags' }, tags),
          glance([['承诺时限', T.days(g.promised_limit_days) || '见说明'], ['到现场', visits(g.visits)],
            ['收费', !g.fee || g.fee === '不收费' ? '不收费' : '收费（见下文）'], ['办理窗口', g.window || '咨询导办台']])
        ]),
        h('div', { class: 't-aside' }, [qrCard(g), rateButton({ guide: g.code, name: g.name })])
      ])], sections, { guide: g.code, name: g.name });
  }

  /* A guide's or bundle's page: its head, jump buttons, the paged sections, a rate button. */
  function page(cls, code, head, sections, rate) {
    var body = sections.filter(Boolean).concat([h('div', { class: 't-guide-end' }, rateButton(rate))]);
    return h('div', { class: cls, 'data-code': code }, head.concat([sectionTabs(sections), T.scroller(body, 't-guide-scroll')]));
  }

  /* A view that loads its page from `url(params)` and builds it with `build(data, entry)`. */
  function detailView(name, title, url, build, what) {
    T.defineView(name, {
      page: name,
      title: title,
      render: function (p, entry) {
        var holder = h('div', { class: 't-holder' }, loading());
        into(holder, url(p), function (data) { return build(data, entry); }, what);
        return holder;
      }
    });
  }

  detailView('guide', '办事指南', function (p) { return (T.cfg.guide_url || '/api/v1/guides/') + encodeURIComponent(p.id); },
    buildGuide, '办事指南');

  /* ------------------------------------------------------------------ bundles */

  function buildBundle(b, entry) {
    if (!entry.recorded) { entry.recorded = true; T.record({ kind: 'bundle_view', bundle: b.code }); }
    var members = (b.guides || []).map(function (g) { return T.guideRow(g); });
    var mats = (b.materials || []).length
      ? h('ol', { class: 't-materials' }, b.materials.map(function (m, i) { return material(m, i, b.name, { bundle: b.code }); })) : null;
    var sections = [
      block('about', '一次办成', prose(b.description), '简介'),
      block('limits', '办理要点', rows([['承诺时限', T.days(b.promised_limit_days) || '见各事项'],
        ['到现场次数', visits(b.visits)], ['办理窗口', b.window]]), '要点'),
      block('guides', '包含事项（共 ' + members.length + ' 项）', members.length ? h('div', { class: 't-rows' }, members) : null, '事项'),
      block('materials', '一套材料（合并后共 ' + (b.materials || []).length + ' 项）', mats, '材料')
    ];
    return page('t-guide t-bundle', b.code, [
      h('header', { class: 't-guide-head' }, [h('div', { class: 't-guide-title' }, [
        h('h1', { class: 't-h1' }, b.name), h('p', { class: 't-sub' }, '一件事一次办 · 一次告知、一表申请、一窗受理')])])],
    sections, { bundle: b.code, name: b.name });
  }

  detailView('bundle', '一件事一次办', function (p) { return (T.cfg.bundle_url || '/api/v1/bundles/') + encodeURIComponent(p.code); },
    buildBundle, '一件事指南');

  /* ------------------------------------------------------------------ 样表 viewer */

  var MIN = 1, MAX = 5;

  /* Full screen, fit to the screen; pinch with two fingers, drag when zoomed, or the
     放大 / 缩小 / 还原 buttons. The page itself never zooms (lockdown), only the form. */
  T.openForm = function (url, name, owner, ref) {
    T.record(Object.assign({ kind: 'form_view' }, ref || {}));
    var img = h('img', { class: 't-form-img', src: url, alt: name + '（样表）', draggable: 'false' });
    var stage = h('div', { class: 't-form-stage t-zoomable', 'data-testid': 'form-stage' }, img);
    var level = h('span', { class: 't-form-level', 'aria-live': 'polite', 'data-testid': 'zoom-level' }, '100%');
    var s = 1, tx = 0, ty = 0;
    function apply() {
      var r = stage.getBoundingClientRect();
      var lim = function (v, size) { var m = (s - 1) * size / 2; return Math.max(-m, Math.min(m, v)); };
      tx = lim(tx, r.width); ty = lim(ty, r.height);
      img.style.transform = 'translate(' + tx + 'px,' + ty + 'px) scale(' + s + ')';
      level.textContent = Math.round(s * 100) + '%';
      img.setAttribute('data-scale', s.toFixed(3));
    }
    /* zoom by `factor` keeping the point (mx, my) (relative to the stage centre) in place */
    function zoomAt(factor, mx, my) {
      var ns = Math.max(MIN, Math.min(MAX, s * factor));
      tx = mx - (ns / s) * (mx - tx);
      ty = my - (ns / s) * (my - ty);
      s = ns;
      apply();
    }
    var pts = {};
    var pinch = null, drag = null;
    function rel(ev) { var r = stage.getBoundingClientRect(); return [ev.clientX - r.left - r.width / 2, ev.clientY - r.top - r.height / 2]; }
    stage.addEventListener('pointerdown', function (ev) {
      ev.preventDefault();
      pts[ev.pointerId] = rel(ev);
      var ids = Object.keys(pts);
      if (ids.length === 2) {
        var a = pts[ids[0]], b = pts[ids[1]];
        pinch = { d: Math.hypot(a[0] - b[0], a[1] - b[1]) || 1 };
        drag = null;
      } else if (ids.length === 1) {
        drag = { x: pts[ids[0]][0], y: pts[ids[0]][1] };
      }
    });
    stage.addEventListener('pointermove', function (ev) {
      if (!pts[ev.pointerId]) return;
      pts[ev.pointerId] = rel(ev);
      var ids = Object.keys(pts);
      if (pinch && ids.length >= 2) {
        var a = pts[ids[0]], b = pts[ids[1]];
        var d = Math.hypot(a[0] - b[0], a[1] - b[1]) || 1;
        zoomAt(d / pinch.d, (a[0] + b[0]) / 2, (a[1] + b[1]) / 2);
        pinch.d = d;
      } else if (drag) {
        var p = pts[ev.pointerId];
        tx += p[0] - drag.x; ty += p[1] - drag.y;
        drag = { x: p[0], y: p[1] };
        apply();
      }
    });
    var up = function (ev) {
      delete pts[ev.pointerId];
      if (Object.keys(pts).length < 2) pinch = null;
      var ids = Object.keys(pts);
      drag = ids.length === 1 ? { x: pts[ids[0]][0], y: pts[ids[0]][1] } : null;
    };
    stage.addEventListener('pointerup', up);
    stage.addEventListener('pointercancel', up);
    var ov;
    var bar = h('div', { class: 't-form-bar' }, [
      h('p', { class: 't-form-title' }, [h('strong', null, name), ' · 样表（填写示例）', owner ? h('span', { class: 't-form-owner' }, owner) : null]),
      h('div', { class: 't-form-tools' }, [
        T.button([h('span', { icon: 'minus' }), '缩小'], function () { zoomAt(1 / 1.5, 0, 0); }, { class: 't-btn', 'data-testid': 'zoom-out' }),
        level,
        T.button([h('span', { icon: 'plus' }), '放大'], function () { zoomAt(1.5, 0, 0); }, { class: 't-btn', 'data-testid': 'zoom-in' }),
        T.button([h('span', { icon: 'reset' }), '还原'], function () { s = 1; tx = 0; ty = 0; apply(); }, { class: 't-btn' }),
        T.button([h('span', { icon: 'close' }), '关闭'], function () { if (ov.parentNode) ov.parentNode.removeChild(ov); },
          { class: 't-btn t-btn-primary', 'data-testid': 'close-form' })
      ])
    ]);
    ov = T.overlay(h('div', { class: 't-form-viewer', 'data-testid': 'form-viewer' }, [stage, bar]), 't-overlay-form');
    img.addEventListener('error', function () {
      T.clear(stage);
      stage.appendChild(T.online() ? h('p', { class: 't-empty' }, '样表暂时无法显示。') : T.needsNetwork('显示这份样表'));
    });
    apply();
  };
})(window.kioskTouch);
