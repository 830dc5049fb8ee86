/* Excel import: upload progress and the progress of checking a large file.
   Everything works without this script: the form posts normally and the check page
   refreshes itself through <noscript><meta refresh>. */
(function () {
  'use strict';

  function show(form, text, value, max) {
    var box = form.querySelector('[data-upload-status]');
    var bar = form.querySelector('[data-upload-progress]');
    box.hidden = false;
    form.querySelector('[data-upload-text]').textContent = text;
    if (max) { bar.max = max; bar.value = value; } else { bar.removeAttribute('value'); }
  }

  function failed(form, text) {
    show(form, text, 0, 1);
    form.querySelector('button[type=submit]').disabled = false;
  }

  // Upload through XMLHttpRequest to see upload.onprogress; the server answers {location}.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute('data-upload-form') || event.defaultPrevented) return;
    if (!window.FormData || !window.XMLHttpRequest) return;
    var input = form.querySelector('input[type=file]');
    if (!input.files || !input.files.length) return; // the browser's own "required" message
    event.preventDefault();
    var limit = parseInt(form.getAttribute('data-max-bytes'), 10);
    if (limit && input.files[0].size > limit) {
      failed(form, '文件超过 ' + Math.floor(limit / 1048576) + ' MB，请分成几个文件上传。');
      return;
    }
    var button = form.querySelector('button[type=submit]');
    button.disabled = true;
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) {
        show(form, '正在上传 ' + Math.floor(e.loaded * 100 / e.total) + '%', e.loaded, e.total);
      }
    };
    xhr.upload.onload = function () { show(form, '上传完成，正在检查…', 0, 0); };
    xhr.onload = function () {
      var data = null;
      try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
      if (data && data.location) { window.location.assign(data.location); return; }
      if (data && data.error) { failed(form, data.error); return; }
      if (xhr.status === 400) { failed(form, '页面已过期，请刷新页面后重新上传。'); return; }
      failed(form, '上传失败（' + xhr.status + '），请重试。');
    };
    xhr.onerror = function () { failed(form, '网络中断，上传失败，请重试。'); };
    show(form, '正在上传 0%', 0, input.files[0].size || 1);
    xhr.send(new FormData(form));
  });

  // While a large file is checked, poll its real progress (rows read / rows checked).
  var box = document.querySelector('[data-import-progress]');
  if (!box) return;
  var url = box.getAttribute('data-status-url');
  var text = box.querySelector('[data-progress-text]');
  var bar = box.querySelector('[data-progress-bar]');
  function poll() {
    var xhr = new XMLHttpRequest();
    xhr.open('GET', url);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.onload = function () {
      var s = null;
      try { s = JSON.parse(xhr.responseText); } catch (err) { s = null; }
      if (!s) { window.setTimeout(poll, 2000); return; }
      if (s.state === 'done' || s.state === 'failed' || s.state === 'missing') { window.location.reload(); return; }
      text.textContent = s.text;
      if (s.total) { bar.max = s.total; bar.value = Math.min(s.done, s.total); } else { bar.removeAttribute('value'); }
      window.setTimeout(poll, 700);
    };
    xhr.onerror = function () { window.setTimeout(poll, 2000); };
    xhr.send();
  }
  window.setTimeout(poll, 300);
})();
