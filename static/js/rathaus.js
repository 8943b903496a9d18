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
