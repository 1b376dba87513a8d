/**
 * The plan report's only script, plain browser JavaScript kept as text: it reads the steps from the
 * JSON data island, fills the filters, and renders the matching rows. Rows are built as one escaped
 * string per render (one innerHTML), which keeps 10,000 rows well under a frame budget of DOM calls;
 * every value goes through esc() because it came from a directory.
 */
export const REPORT_SCRIPT = `(function () {
  'use strict';
  var rows = JSON.parse(document.getElementById('plan-data').textContent);
  var body = document.getElementById('steps-body');
  var count = document.getElementById('steps-count');
  var f = {
    action: document.getElementById('f-action'), source: document.getElementById('f-source'),
    department: document.getElementById('f-department'), search: document.getElementById('f-search'),
    noop: document.getElementById('f-noop')
  };
  var sortCol = -1, sortDir = 1;
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function actionOf(r) { return r[0] === 'group' ? 'group ' + r[1] : r[2] ? r[1] + ' (staged)' : r[1]; }
  function fill(select, values) {
    var seen = {}, list = [];
    values.forEach(function (v) { v.split(', ').forEach(function (x) { if (x && !seen[x]) { seen[x] = 1; list.push(x); } }); });
    list.sort().forEach(function (v) { var o = document.createElement('option'); o.value = v; o.textContent = v; select.appendChild(o); });
  }
  fill(f.action, rows.map(actionOf));
  fill(f.source, rows.map(function (r) { return r[3]; }));
  fill(f.department, rows.map(function (r) { return r[7]; }));
  function matches(r, q) {
    if (!f.noop.checked && r[1] === 'noop') return false;
    if (f.action.value && actionOf(r) !== f.action.value) return false;
    if (f.source.value && r[3] !== f.source.value) return false;
    if (f.department.value && r[7].split(', ').indexOf(f.department.value) < 0) return false;
    if (!q) return true;
    return (r[4] + '\\n' + r[5] + '\\n' + r[6] + '\\n' + r[8] + '\\n' + r[9].join('\\n') + '\\n' + r[11]).toLowerCase().indexOf(q) >= 0;
  }
  var keyOf = [actionOf, function (r) { return r[4]; }, function (r) { return r[3]; }, function (r) { return r[7]; },
    function (r) { return r[9].join(' '); }, function (r) { return r[8]; }, function (r) { return r[10]; }];
  function render() {
    var q = f.search.value.trim().toLowerCase(), shown = [];
    for (var i = 0; i < rows.length; i++) if (matches(rows[i], q)) shown.push(rows[i]);
    if (sortCol >= 0) {
      var key = keyOf[sortCol];
      shown.sort(function (a, b) { var x = key(a), y = key(b); return x < y ? -sortDir : x > y ? sortDir : 0; });
    }
    var html = new Array(shown.length);
    for (var j = 0; j < shown.length; j++) {
      var r = shown[j];
      html[j] = '<tr class="a-' + esc(r[1]) + (r[2] ? ' staged' : '') + (r[10] === 'failed' ? ' failed' : '') + '">' +
        '<td>' + esc(actionOf(r)) + '</td>' +
        '<td><b>' + esc(r[4]) + '</b>' + (r[5] ? '<br><span class="dim">' + esc(r[5]) + '</span>' : '') +
        (r[6] ? '<br><code>' + esc(r[6]) + '</code>' : '') + '</td>' +
        '<td>' + esc(r[3]) + '</td><td>' + esc(r[7]) + '</td>' +
        '<td>' + r[9].map(function (c) { return '<div>' + esc(c) + '</div>'; }).join('') + '</td>' +
        '<td>' + esc(r[8]) + '</td>' +
        '<td>' + esc(r[10]) + (r[11] ? '<div class="why">' + esc(r[11]) + '</div>' : '') + '</td></tr>';
    }
    body.innerHTML = html.join('');
    count.textContent = shown.length + ' of ' + rows.length + ' steps shown';
  }
  [f.action, f.source, f.department, f.noop].forEach(function (el) { el.addEventListener('change', render); });
  f.search.addEventListener('input', render);
  Array.prototype.forEach.call(document.querySelectorAll('#steps th'), function (th, i) {
    th.addEventListener('click', function () { sortDir = sortCol === i ? -sortDir : 1; sortCol = i; render(); });
  });
  render();
  document.body.setAttribute('data-ready', '1');
})();`;
