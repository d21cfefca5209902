/*
 * The tabs' one script (served from /tabs/static/tab.js; no inline script is allowed by the page's CSP).
 * In Teams: gets a token for the signed-in person from Teams (teams-js getAuthToken, single sign-on) and
 * fetches the view with it. In local mode (no MicrosoftAppId) there is no token: the server answers as the
 * Playground's mock user. The view is HTML made by the server; charts are drawn by Chart.js from the JSON
 * beside each canvas, with the same figures in a table underneath.
 */
(function () {
  'use strict';
  var app = document.getElementById('app');
  if (!app) return;
  var page = app.getAttribute('data-page');
  var local = app.getAttribute('data-local') === 'true';
  var charts = [];
  var tokenPromise;

  function withTimeout(promise, ms, what) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject(new Error(what + ' timed out')); }, ms);
      promise.then(function (v) { clearTimeout(timer); resolve(v); }, function (e) { clearTimeout(timer); reject(e); });
    });
  }

  function token() {
    if (local) return Promise.resolve(undefined);
    if (!tokenPromise) {
      var teams = window.microsoftTeams;
      if (!teams) return Promise.reject(new Error('no Teams library'));
      tokenPromise = withTimeout(teams.app.initialize(), 10000, 'Teams').then(function () {
        return teams.authentication.getAuthToken();
      });
      tokenPromise.catch(function () { tokenPromise = undefined; });
    }
    return tokenPromise;
  }

  function request(method, path, body) {
    return token().then(
      function (t) {
        var headers = { Accept: 'text/html' };
        if (t) headers.Authorization = 'Bearer ' + t;
        if (body) headers['Content-Type'] = 'application/json';
        return fetch(path, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined, credentials: 'omit' });
      },
      function () {
        // Not in Teams (or Teams would not give a token): ask without one, so the server's own refusal shows.
        return fetch(path, { method: method, headers: { Accept: 'text/html' }, credentials: 'omit' });
      }
    );
  }

  function show(html) {
    charts.forEach(function (c) { c.destroy(); });
    charts = [];
    app.innerHTML = html;
    app.setAttribute('aria-busy', 'false');
    drawCharts();
    var focus = app.querySelector('[data-focus], [role="alert"]');
    if (focus) focus.focus();
    app.setAttribute('data-ready', 'true');
  }

  function load() {
    app.setAttribute('data-ready', 'false');
    return request('GET', '/tabs/api/' + page + window.location.search).then(function (r) { return r.text(); }).then(show, failed);
  }

  function failed() {
    show('<div class="nhsuk-error-summary" role="alert" tabindex="-1"><h2 class="nhsuk-error-summary__title">Could not load</h2><div class="nhsuk-error-summary__body"><p>Sorry, this could not be loaded. Please try again in a moment.</p></div></div>');
  }

  function drawCharts() {
    if (!window.Chart) return;
    var specs = app.querySelectorAll('script[data-chart]');
    for (var i = 0; i < specs.length; i++) {
      var spec = JSON.parse(specs[i].textContent || '{}');
      var canvas = document.getElementById(specs[i].getAttribute('data-chart'));
      if (!canvas) continue;
      charts.push(new window.Chart(canvas, {
        type: spec.type,
        data: {
          labels: spec.labels,
          datasets: spec.datasets.map(function (d) {
            return { label: d.label, data: d.data, backgroundColor: d.colour, borderColor: d.colour, borderWidth: 2, pointRadius: 5, spanGaps: false };
          })
        },
        options: {
          animation: false,
          responsive: true,
          maintainAspectRatio: false,
          plugins: { legend: { display: spec.datasets.length > 1, labels: { color: '#212b32' } } },
          scales: {
            x: { title: { display: !!spec.xTitle, text: spec.xTitle || '', color: '#212b32' }, ticks: { color: '#212b32' } },
            y: { beginAtZero: true, max: spec.yMax || (spec.percent ? 100 : undefined), min: spec.yMax ? 1 : undefined, ticks: { precision: 0, color: '#212b32' }, title: { display: true, text: spec.yTitle, color: '#212b32' } }
          }
        }
      }));
    }
  }

  app.addEventListener('submit', function (event) {
    var form = event.target;
    var action = form.getAttribute('data-action');
    if (!action) return;
    event.preventDefault();
    var body = {};
    var data = new FormData(form);
    data.forEach(function (value, key) { if (typeof value === 'string') body[key] = value; });
    app.setAttribute('aria-busy', 'true');
    app.setAttribute('data-ready', 'false');
    request('POST', '/tabs/api/my-coaching/' + action, body).then(function (r) { return r.text(); }).then(show, failed);
  });

  app.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a[data-download]');
    if (!link) return;
    event.preventDefault();
    request('GET', link.getAttribute('href')).then(function (r) {
      if (!r.ok) throw new Error('export refused');
      return r.blob();
    }).then(function (blob) {
      var a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = link.getAttribute('data-download');
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    }).catch(failed);
  });

  load();
})();
