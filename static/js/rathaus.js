/* rathaus.js — progressive enhancement only: every page works without it.
 *
 * - An error summary gets focus on load, so that screen-reader users hear
 *   what went wrong at once (WCAG 3.3.1).
 * - Text areas with a data-maxlength show how many characters are left.
 */
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', function () {
    var summary = document.querySelector('.form-errors');
    if (summary) summary.focus();

    document.querySelectorAll('textarea[data-maxlength]').forEach(function (ta) {
      var max = parseInt(ta.getAttribute('data-maxlength'), 10);
      if (!max) return;
      var out = document.createElement('p');
      out.className = 'char-count kern-hint';
      out.setAttribute('aria-live', 'polite');
      ta.insertAdjacentElement('afterend', out);
      var update = function () {
        var left = max - Array.from(ta.value).length;
        var en = document.documentElement.lang === 'en';
        out.textContent = en ? left + ' characters left' : 'Noch ' + left + ' Zeichen';
      };
      ta.addEventListener('input', update);
      update();
    });
  });
})();

/* Session timeout warning (WCAG 2.2.1): two minutes before the idle timeout a
 * dialog offers to stay signed in; the button extends the session without
 * leaving the page, so nothing typed is lost. Without JavaScript the header line
 * links to /konto/sitzung, which does the same with a form. */
(function () {
  'use strict';
  document.addEventListener('DOMContentLoaded', function () {
    var timer = document.querySelector('.session-timer');
    var dialog = document.querySelector('.session-dialog');
    if (!timer || !dialog || typeof dialog.showModal !== 'function') return;
    var expiresAt = parseInt(timer.getAttribute('data-expires-at'), 10) * 1000;
    var warn = parseInt(timer.getAttribute('data-warn-seconds'), 10) * 1000;
    var button = dialog.querySelector('.session-dialog__extend');
    var pending = null;
    var schedule = function () {
      if (pending) clearTimeout(pending);
      var wait = Math.max(0, expiresAt - warn - Date.now());
      pending = setTimeout(function () { if (!dialog.open) dialog.showModal(); }, wait);
    };
    button.addEventListener('click', function () {
      fetch('/konto/sitzung', {
        method: 'POST',
        headers: { 'Accept': 'application/json', 'X-CSRF-Token': button.getAttribute('data-csrf') },
        credentials: 'same-origin'
      }).then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (data) {
          expiresAt = data.expires_at * 1000;
          var t = new Date(expiresAt);
          var hm = ('0' + t.getHours()).slice(-2) + ':' + ('0' + t.getMinutes()).slice(-2);
          var out = timer.querySelector('.session-timer__time');
          if (out) out.textContent = hm;
          dialog.close();
          schedule();
        })
        .catch(function () { window.location.href = '/konto/sitzung'; });
    });
    schedule();
  });
})();
