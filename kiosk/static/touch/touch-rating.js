/*
 * Touch kiosk UI, part 5 of 6: rating the service (好差评) on the five national levels.
 *
 * The visitor picks a level (非常满意 … 非常不满意), may pick reasons from the standard list
 * for that level (the catalogue's `rating`), may leave a phone number for a call-back on an
 * on-screen keypad, and submits: POST …/kiosk/evaluations stores one individual evaluation
 * record (channel kiosk). The number is private: it goes to the server and nowhere else, and
 * is forgotten by the page as soon as it is sent or the visit ends.
 */
(function (T) {
  'use strict';

  var h = T.h;
  var FALLBACK = [
    { level: 5, label: '非常满意', reasons: [] }, { level: 4, label: '满意', reasons: [] },
    { level: 3, label: '基本满意', reasons: [] }, { level: 2, label: '不满意', reasons: [] },
    { level: 1, label: '非常不满意', reasons: [] }
  ];
  // faces from smiling (5) to frowning (1): the mouth's curve, drawn by us (not data)
  var MOUTH = { 5: 'M7 13.5q5 5 10 0', 4: 'M7.5 14q4.5 3 9 0', 3: 'M8 15h8', 2: 'M7.5 16q4.5-3 9 0', 1: 'M7 17q5-5 10 0' };

  function face(level) {
    return '<svg class="t-face" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx="12" cy="12" r="10" ' +
      'fill="none" stroke="currentColor" stroke-width="1.6"/><circle cx="8.5" cy="9.5" r="1.3" fill="currentColor"/>' +
      '<circle cx="15.5" cy="9.5" r="1.3" fill="currentColor"/><path d="' + MOUTH[level] +
      '" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"/></svg>';
  }

  function levels() {
    var r = T.cat && T.cat.rating && T.cat.rating.levels;
    return r && r.length ? r : FALLBACK;
  }

  T.defineView('rating', {
    page: 'rating',
    title: '好差评',
    render: function (p) {
      var chosen = null;      // the level entry
      var reasons = [];
      var phone = '';
      var root = h('div', { class: 't-rating', 'data-testid': 'rating' });

      function head(sub) {
        return h('header', { class: 't-rating-head' }, [
          h('h1', { class: 't-h1' }, '请您评价本次服务'),
          h('p', { class: 't-sub' }, [p.name ? '事项：' + p.name : '', sub ? h('span', { class: 't-rating-step' }, sub) : null])
        ]);
      }

      function stepLevel() {
        T.clear(root);
        root.appendChild(head('第 1 步：选择满意程度'));
        root.appendChild(h('div', { class: 't-levels', role: 'group', 'aria-label': '满意程度' }, levels().map(function (lv) {
          var b = h('button', { type: 'button', class: 't-level t-level-' + lv.level, 'data-level': lv.level,
            onclick: function () { chosen = lv; reasons = []; stepDetails(); } }, h('span', { class: 't-level-label' }, lv.label));
          b.insertAdjacentHTML('afterbegin', face(lv.level));
          return b;
        })));
        if (!T.online()) root.appendChild(T.needsNetwork('提交评价'));
      }

      function stepDetails() {
        T.clear(root);
        root.appendChild(head('第 2 步：选择原因（可多选，可不选）'));
        var chips = h('div', { class: 't-reasons', role: 'group', 'aria-label': '评价原因' }, (chosen.reasons || []).map(function (r) {
          var b = h('button', { type: 'button', class: 't-chip t-reason', 'aria-pressed': 'false', onclick: function () {
            var i = reasons.indexOf(r);
            if (i >= 0) reasons.splice(i, 1); else reasons.push(r);
            b.setAttribute('aria-pressed', i >= 0 ? 'false' : 'true');
          } }, r);
          return b;
        }));
        var shown = h('span', { class: 't-phone-text', 'data-testid': 'phone' }, '');
        var phoneBox = h('div', { class: 't-phone is-empty', role: 'status', 'aria-label': '回访电话' }, [shown,
          h('span', { class: 't-query-placeholder' }, '不填写也可以提交')]);
        function setPhone(v) {
          phone = v.slice(0, 12);
          shown.textContent = phone;
          phoneBox.classList.toggle('is-empty', !phone);
        }
        var pad = h('div', { class: 't-keypad', 'aria-label': '数字键盘' }, '123456789'.split('').concat(['清空', '0', '退格']).map(function (k) {
          var fn = k === '清空' ? function () { setPhone(''); } : k === '退格' ? function () { setPhone(phone.slice(0, -1)); }
            : function () { setPhone(phone + k); };
          return h('button', { type: 'button', class: 't-key' + (/\d/.test(k) ? '' : ' t-key-fn'), 'data-key': k, onclick: fn }, k);
        }));
        var error = h('p', { class: 't-form-error', role: 'alert' });
        var submit = T.button('提交评价', function () { send(submit, error); }, { class: 't-btn t-btn-primary t-btn-big', 'data-testid': 'submit-rating' });
        root.appendChild(h('div', { class: 't-rating-body' }, [
          h('div', { class: 't-rating-main' }, [
            h('p', { class: 't-rating-chosen' }, ['您的评价：', h('strong', null, chosen.label)]),
            chips,
            h('div', { class: 't-rating-actions' }, [T.button('重新选择', stepLevel, { class: 't-btn' }), submit]),
            error
          ]),
          h('div', { class: 't-rating-contact' }, [
            h('h2', { class: 't-block-title' }, chosen.level <= 2 ? '留下电话，工作人员将回访处理' : '留下电话以便回访（可选）'),
            phoneBox, pad,
            h('p', { class: 't-privacy' }, '电话号码只用于工作人员回访，不会显示在任何屏幕上。')
          ])
        ]));
      }

      function send(btn, error) {
        if (!T.online()) { error.textContent = ''; error.appendChild(T.needsNetwork('提交评价')); return; }
        btn.disabled = true;
        error.textContent = '';
        var body = { level: chosen.level, reasons: reasons.slice(), contact: phone || null, visit: T.visitId };
        if (p.guide) body.guide = p.guide;
        if (p.bundle) body.bundle = p.bundle;
        var withPhone = !!phone;
        T.fetchJSON(T.cfg.evaluations_url, { method: 'POST', body: body, cache: 'no-store' }).then(function () {
          phone = '';
          thanks(withPhone);
        }, function (err) {
          btn.disabled = false;
          if (err && err.offline) { error.appendChild(T.needsNetwork('提交评价')); return; }
          if (err && err.status === 429) { error.textContent = '评价提交过于频繁，请稍后再试。'; return; }
          var e = (err && err.error) || {};
          error.textContent = e.field === 'contact' ? '电话号码格式不正确，请检查后重新输入，或清空后提交。' : (e.message || '提交失败，请稍后再试。');
        });
      }

      function thanks(withPhone) {
        T.clear(root);
        root.appendChild(h('div', { class: 't-thanks', role: 'status', 'data-testid': 'thanks' }, [
          h('p', { class: 't-thanks-big' }, '感谢您的评价！'),
          h('p', { class: 't-sub' }, withPhone ? '工作人员会尽快与您电话联系。' : '您的意见将帮助我们改进服务。'),
          h('div', { class: 't-rating-actions' }, [
            T.button('返回上一页', function () { T.back(); }, { class: 't-btn' }),
            T.button('回到首页', function () { T.go('home'); }, { class: 't-btn t-btn-primary' })
          ])
        ]));
      }
      stepLevel();
      return T.scroller(root, 't-rating-scroll');
    }
  });
})(window.kioskTouch);
