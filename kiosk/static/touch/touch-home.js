/*
 * Touch kiosk UI, part 2 of 6: the home page and the lists it opens.
 *
 * Home shows every way in without typing: the search box, 个人办事 and 法人办事 themes,
 * 一件事 bundles, departments and the most viewed guides. Every guide is at most two touches
 * away: a theme or department, then the guide (or one touch from 热门事项).
 * The data is the kiosk's catalogue (GET …/kiosk/catalogue, touch-start.js keeps T.cat).
 */
(function (T) {
  'use strict';

  var h = T.h;

  T.guideById = function (id) {
    return T.cat && T.cat.guides ? T.cat.guides[String(id)] || null : null;
  };

  T.bundleByCode = function (code) {
    var list = (T.cat && T.cat.bundles) || [];
    for (var i = 0; i < list.length; i++) if (list[i].code === code) return list[i];
    return null;
  };

  /* One guide as a row to tap: name, then department, case type, time limit, 网办. Works
     for catalogue entries and for search results (they share the summary fields). */
  T.guideRow = function (g, extra) {
    var known = T.guideById(g.id) || {};
    var dept = g.department_short || known.department_short || g.department || '';
    var limit = g.promised_limit_days !== undefined ? g.promised_limit_days : known.promised_limit_days;
    var meta = [dept, g.case_type || known.case_type];
    if (limit !== undefined && limit !== null) meta.push(Number(limit) === 0 ? '当场办结' : '承诺' + limit + ' 个工作日');
    var tags = [];
    if (g.online || known.online) tags.push(h('span', { class: 't-tag t-tag-online' }, '可网办'));
    return h('button', Object.assign({ type: 'button', class: 't-row t-guide-row', 'data-guide': g.id,
      onclick: function () { T.go('guide', { id: g.id }); } }, extra || {}), [
      h('span', { class: 't-row-title' }, g.name),
      h('span', { class: 't-row-meta' }, [meta.filter(Boolean).join(' · ')].concat(tags))
    ]);
  };

  /* One 一件事 as a row to tap (search results): its name and what it saves. */
  T.bundleRow = function (b, extra) {
    var meta = ['一件事一次办', (b.guide_count || (b.guides || []).length || '') + ' 个事项一起办'];
    if (b.promised_limit_days !== undefined && b.promised_limit_days !== null) meta.push(Number(b.promised_limit_days) === 0 ? '当场办结' : '承诺' + b.promised_limit_days + ' 个工作日');
    return h('button', Object.assign({ type: 'button', class: 't-row t-bundle-row', 'data-bundle': b.code,
      onclick: function () { T.go('bundle', { code: b.code }); } }, extra || {}), [
      h('span', { class: 't-row-title' }, [h('span', { class: 't-tag t-tag-bundle' }, '一件事'), b.name]),
      h('span', { class: 't-row-meta' }, meta.filter(Boolean).join(' · '))
    ]);
  };

  function tile(label, count, onclick, attrs) {
    return h('button', Object.assign({ type: 'button', class: 't-tile', onclick: onclick }, attrs || {}), [
      h('span', { class: 't-tile-name' }, label),
      count !== null && count !== undefined ? h('span', { class: 't-tile-count' }, count + ' 项') : null
    ]);
  }

  function section(title, body, cls) {
    return h('section', { class: 't-section' + (cls ? ' ' + cls : '') }, [
      h('h2', { class: 't-section-title' }, title), body
    ]);
  }

  /* The item the attract loop showed when the visitor touched it, as a first shortcut. */
  function fromAttract() {
    var ref = T.attractItem || '';
    var kind = ref.split(':')[0], code = ref.slice(kind.length + 1);
    if (kind === 'bundle' && T.bundleByCode(code)) {
      var b = T.bundleByCode(code);
      return h('button', { type: 'button', class: 't-row t-from-attract', onclick: function () { T.go('bundle', { code: code }); } }, [
        h('span', { class: 't-row-meta' }, '刚才屏幕上的内容'), h('span', { class: 't-row-title' }, b.name)]);
    }
    if (kind === 'guide' && T.cat) {
      var ids = Object.keys(T.cat.guides || {});
      for (var i = 0; i < ids.length; i++) {
        var g = T.cat.guides[ids[i]];
        if (g.code === code) {
          return h('button', { type: 'button', class: 't-row t-from-attract', onclick: function () { T.go('guide', { id: g.id }); } }, [
            h('span', { class: 't-row-meta' }, '刚才屏幕上的内容'), h('span', { class: 't-row-title' }, g.name)]);
        }
      }
    }
    return null;
  }

  T.defineView('home', {
    title: '首页',
    render: function () {
      var cat = T.cat;
      var search = h('button', { type: 'button', class: 't-searchbox', 'data-testid': 'search-box',
        onclick: function () { T.go('search'); } }, [
        h('span', { icon: 'search' }),
        h('span', { class: 't-searchbox-text' }, '搜索办事指南'),
        h('span', { class: 't-searchbox-hint' }, T.cfg.handwriting ? '拼音首字母或手写，如 sfz' : '拼音或首字母，如 sfz')
      ]);
      if (!cat) {
        return h('div', { class: 't-home' }, [search, h('p', { class: 't-empty' },
          T.online() ? '正在载入办事指南…' : '网络已断开，办事指南目录尚未保存到本机，请稍后再试或咨询导办人员。')]);
      }
      var blocks = [];
      var popular = (cat.popular || []).map(T.guideById).filter(Boolean).slice(0, T.elder ? 4 : 6);
      if (popular.length) {
        blocks.push(section('热门事项', h('div', { class: 't-rows t-rows-popular' }, popular.map(function (g) { return T.guideRow(g); })),
          't-section-popular'));
      }
      (cat.audiences || []).forEach(function (aud) {
        if (!aud.themes || !aud.themes.length) return;
        blocks.push(section(aud.label, h('div', { class: 't-tiles t-tiles-theme' }, aud.themes.map(function (th) {
          return tile(th.name, th.guides.length, function () {
            T.go('list', { type: 'theme', audience: aud.key, name: th.name });
          }, { 'data-theme': th.name });
        })), 't-section-' + aud.key));
      });
      if (cat.bundles && cat.bundles.length) {
        blocks.push(section('一件事一次办', h('div', { class: 't-tiles t-tiles-bundle' }, cat.bundles.map(function (b) {
          return tile(b.name, null, function () { T.go('bundle', { code: b.code }); }, { 'data-bundle': b.code });
        })), 't-section-bundles'));
      }
      if (cat.departments && cat.departments.length) {
        blocks.push(section('按部门查找', h('div', { class: 't-tiles t-tiles-dept' }, cat.departments.map(function (d) {
          return tile(d.short_name || d.name, d.guides.length, function () {
            T.go('list', { type: 'department', code: d.code });
          }, { 'data-department': d.code });
        })), 't-section-departments'));
      }
      return h('div', { class: 't-home' }, [search, fromAttract(), T.scroller(h('div', { class: 't-home-grid' }, blocks))]);
    }
  });

  /* A list of guides: one theme of one audience, or one department. */
  function listOf(p) {
    var cat = T.cat || {};
    if (p.type === 'department') {
      var d = (cat.departments || []).filter(function (x) { return x.code === p.code; })[0];
      return d ? { title: d.name, ids: d.guides, note: d.phone ? '咨询电话 ' + d.phone : '' } : null;
    }
    var aud = (cat.audiences || []).filter(function (a) { return a.key === p.audience; })[0];
    var th = aud && (aud.themes || []).filter(function (t) { return t.name === p.name; })[0];
    return th ? { title: th.name, ids: th.guides, note: aud.label } : null;
  }

  T.defineView('list', {
    page: 'list',
    title: function (p) { var l = listOf(p); return l ? l.title : '办事指南'; },
    render: function (p) {
      var l = listOf(p);
      if (!l) return h('p', { class: 't-empty' }, '该分类暂时没有办事指南。');
      var guides = l.ids.map(T.guideById).filter(Boolean);
      return h('div', { class: 't-list' }, [
        h('div', { class: 't-list-head' }, [
          h('h1', { class: 't-h1' }, l.title),
          h('p', { class: 't-sub' }, [l.note, l.note ? ' · ' : '', '共 ' + guides.length + ' 项'])
        ]),
        T.scroller(h('div', { class: 't-rows' }, guides.map(function (g) { return T.guideRow(g); })))
      ]);
    }
  });
})(window.kioskTouch);
