/* The pairing page (/screen): ask for a code bound to this browser's secret, show it, and
   poll until staff claim it in the panel; then open the screen page. See
   kiosk/services/pairing.py. No socket: plain fetch every 2.5 s. */
(function () {
  'use strict';
  var KEY = 'kiosk-pair-secret';
  var SCREEN_KEY = 'kiosk-paired-screen';
  var POLL_MS = 2500;
  var codeEl = document.getElementById('pair-code');
  var noteEl = document.getElementById('pair-note');
  var NOTE = noteEl ? noteEl.textContent : '';
  var code = null;
  var expiresAt = 0;

  function randomSecret() {
    var bytes = new Uint8Array(24);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  function secret() {
    var s = null;
    try { s = window.localStorage.getItem(KEY); } catch (e) { s = null; }
    if (!s || s.length < 16) {
      s = randomSecret();
      try { window.localStorage.setItem(KEY, s); } catch (e) { /* private mode: keep it in memory */ }
    }
    return s;
  }
  var SECRET = secret();

  function note(text, isError) {
    if (!noteEl) return;
    noteEl.textContent = text || NOTE;
    noteEl.className = isError ? 'note error' : 'note';
  }

  function show(c) {
    code = c;
    codeEl.textContent = c ? c.slice(0, 3) + ' ' + c.slice(3) : '······';
    codeEl.setAttribute('data-code', c || '');
  }

  function later(fn, ms) { setTimeout(fn, ms); }

  function newCode() {
    fetch('/screen/pair/code', {
      method: 'POST', cache: 'no-store', credentials: 'omit',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ secret: SECRET })
    }).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok || !body.code) throw new Error((body.error && body.error.message) || res.status);
        show(body.code);
        expiresAt = Date.parse(body.expires_at) || (Date.now() + 600000);
        note('');
        later(poll, POLL_MS);
      });
    }).catch(function () {
      show(null);
      note('暂时无法连接服务器，正在重试……', true);
      later(newCode, 5000);
    });
  }

  function poll() {
    if (!code) { newCode(); return; }
    if (Date.now() > expiresAt) { newCode(); return; }
    var url = '/screen/pair/status?code=' + encodeURIComponent(code) + '&secret=' + encodeURIComponent(SECRET);
    fetch(url, { cache: 'no-store', credentials: 'omit', headers: { Accept: 'application/json' } })
      .then(function (res) {
        return res.json().then(function (body) {
          if (body.status === 'claimed' && body.url && body.url.indexOf('/screen/') === 0) {
            note('配对成功，正在打开屏幕……');
            try { window.localStorage.setItem(SCREEN_KEY, body.url); } catch (e) { /* ignore */ }
            window.location.replace(body.url);
            return;
          }
          if (body.status === 'pending') { note(''); later(poll, POLL_MS); return; }
          newCode(); // expired or unknown: a fresh code
        });
      })
      .catch(function () {
        note('暂时无法连接服务器，正在重试……', true);
        later(poll, POLL_MS * 2);
      });
  }

  /* A device already paired (its start page is still /screen after a power cut) goes back
     to its screen page while that page exists; a revoked screen pairs again. */
  function start() {
    var url = null;
    try { url = window.localStorage.getItem(SCREEN_KEY); } catch (e) { url = null; }
    if (!url || url.indexOf('/screen/') !== 0) { newCode(); return; }
    fetch(url + '/state', { cache: 'no-store', credentials: 'omit', headers: { Accept: 'application/json' } })
      .then(function (res) {
        if (res.status === 200 || res.status === 204) { window.location.replace(url); return; }
        if (res.status === 404) { try { window.localStorage.removeItem(SCREEN_KEY); } catch (e) { /* ignore */ } }
        newCode();
      })
      .catch(function () { note('暂时无法连接服务器，正在重试……', true); later(start, 5000); });
  }

  start();
})();
