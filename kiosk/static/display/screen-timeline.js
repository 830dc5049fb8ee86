/*
 * Screen page, part 4 of 7: the timeline against the wall clock, and the slide layers.
 *
 * At time t the item showing is the one at offset (t - segment.start) mod cycle, so every
 * screen of a group shows the same item and a reload continues where it would have been.
 * A new slide is prepared in a hidden layer (.next) and revealed above the old one only when
 * its fonts and images are there: never a blank frame or a half-drawn slide.
 */
(function (K) {
  'use strict';

  var seq = 0;
  var tickTimer = null;

  K.parseTimeline = function (st) {
    var items = st.items || {};
    var ts = K.ts;
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
  };

  /* The segment playing at t. Past the end of the timeline (offline for > 24 h) the last
     segment keeps playing; in a gap the previous one does. */
  function segmentAt(t) {
    var segments = K.segments;
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
  K.planAt = function (t) {
    var segments = K.segments;
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
  };

  K.segHas = function (seg, id) {
    if (!seg) return false;
    for (var i = 0; i < seg.items.length; i++) if (seg.items[i].id === id) return true;
    return false;
  };

  /* Show what the wall clock says, then sleep until the next possible change (<= 1 s). */
  K.tick = function () {
    clearTimeout(tickTimer);
    var t = K.now();
    var plan = { next: t + 1000 };
    var current = K.current;
    try {
      plan = K.planAt(t);
      var keep = current && current.id && t < K.holdUntil && K.segHas(plan.seg, current.id);
      if (!keep) {
        K.holdUntil = 0;
        show(plan.id);
      }
      K.updateAlerts(t);
    } catch (e) {
      if (window.console) console.error('kiosk screen tick', e);
    }
    var wait = Math.max(20, Math.min(1000, (keep ? Math.min(K.holdUntil, plan.next) : plan.next) - t + 5));
    tickTimer = setTimeout(K.tick, wait);
  };

  /* ------------------------------------------------------------------ slides */

  function idleHTML() {
    return '<section class="slide slide-idle"><div class="idle-hall">' + K.esc(K.hallName || '') +
      '</div><div class="idle-note">欢迎光临</div></section>';
  }

  function show(id) {
    var state = K.state;
    var item = id && state && state.items ? state.items[id] : null;
    if (id && !item) id = null;
    var html = item ? String(item.html || '') : idleHTML();
    var pending = K.pending, current = K.current;
    if (pending && pending.id === id && pending.html === html) return;
    if (current && current.id === id && current.html === html) {
      if (pending) discardPending();
      return;
    }
    K.render(id, html);
  }

  function discardPending() {
    var pending = K.pending;
    if (pending && pending.el.parentNode) pending.el.parentNode.removeChild(pending.el);
    K.pending = null;
  }

  /* Put ``html`` on screen as item ``id``: at once for the first frame, else through a hidden
     layer that is revealed when ready (a newer render supersedes an older pending one). */
  K.render = function (id, html) {
    var main = K.regions.main;
    if (!main) return;
    discardPending();
    var mySeq = ++seq;
    var el = document.createElement('div');
    el.className = 'slide-layer next';
    el.setAttribute('data-item', id || '');
    el.innerHTML = html;
    main.appendChild(el);
    var p = { seq: mySeq, id: id, html: html, el: el };
    if (!K.current) {
      // First frame: show at once (the text waits for its font thanks to font-display:block),
      // then fit the text again when the font is there.
      reveal(p, false);
      K.whenReady(el).then(function () { if (K.current && K.current.el === el) K.prepare(el); });
      return;
    }
    K.pending = p;
    K.prepare(el);
    K.whenReady(el).then(function () {
      if (!K.pending || K.pending.seq !== mySeq) return;
      K.prepare(el);
      reveal(p, true);
    });
  };

  function reveal(p, animate) {
    var old = K.current && K.current.el;
    p.el.className = 'slide-layer current' + (animate ? ' entering' : '');
    if (old) old.className = 'slide-layer leaving';
    K.current = { id: p.id, html: p.html, el: p.el };
    if (K.pending === p) K.pending = null;
    if (!animate) K.prepare(p.el);
    K.startMarquees(p.el);
    var el = p.el;
    setTimeout(function () {
      if (el.classList) el.classList.remove('entering');
      if (old && old.parentNode) old.parentNode.removeChild(old);
    }, animate ? K.FADE_MS : 0);
  }

  K.showing = function () {
    return K.current && K.current.id ? K.current.id : null;
  };
})(window.kioskDisplay);
