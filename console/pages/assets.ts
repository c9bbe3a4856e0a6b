/**
 * The console's only CSS and script, served from memory (no build step). Colours keep a contrast
 * ratio of at least 4.5:1 on their backgrounds; focus is always visible.
 */
export const CSS = `*{box-sizing:border-box}body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f5f6f8;color:#1f2933}
a{color:#0b4f9c}a:focus,button:focus,input:focus,select:focus{outline:3px solid #f0b429;outline-offset:1px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:6px;z-index:2}
.top{display:flex;flex-wrap:wrap;align-items:center;gap:20px;background:#102a43;color:#fff;padding:10px 24px}
.top a{color:#fff}.brand{font-weight:700;text-decoration:none}.top ul{list-style:none;display:flex;gap:16px;margin:0;padding:0}
.top [aria-current=page]{text-decoration:underline 3px}.who{margin-left:auto;display:flex;gap:10px;align-items:center}
.link{background:none;border:0;color:#fff;text-decoration:underline;cursor:pointer;font:inherit}
main{max-width:1200px;margin:0 auto;padding:20px 24px}h1{font-size:24px;margin:8px 0}h2{font-size:18px;margin:28px 0 8px}
table{width:100%;border-collapse:collapse;background:#fff;box-shadow:0 1px 2px #0002}caption{text-align:left;padding:6px 0;color:#3e4c59}
th,td{padding:6px 10px;text-align:left;border-bottom:1px solid #e4e7eb;vertical-align:top;font-size:14px}th{background:#eef1f4}
td.num,th.num{text-align:right}.muted{color:#52606d}.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:13px}
.ok{background:#e3f9e5;color:#0e5814}.info{background:#e6f0ff;color:#0b4f9c}.bad{background:#ffe3e3;color:#8a041a}.warn{background:#fff3c4;color:#7a4d00}
.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:end;margin:12px 0}.filters label{display:flex;flex-direction:column;font-size:13px;gap:2px}
input,select,button{font:inherit;padding:5px 8px;border:1px solid #7b8794;border-radius:4px;background:#fff;color:#1f2933}
button{cursor:pointer;background:#0b4f9c;color:#fff;border-color:#0b4f9c}button.secondary{background:#fff;color:#0b4f9c}
.actions{display:flex;gap:8px;flex-wrap:wrap}.actions form{margin:0}dl.settings{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;background:#fff;padding:12px 16px;box-shadow:0 1px 2px #0002}
dt{font-weight:600;color:#3e4c59}dd{margin:0}.banner{background:#fff3c4;color:#7a4d00;padding:8px 12px;border-left:4px solid #c99a2e}
.flash{background:#e3f9e5;color:#0e5814;padding:8px 12px;border-left:4px solid #2f8132}[role=alert]{background:#ffe3e3;color:#8a041a;padding:8px 12px;border-left:4px solid #cf1124}
.before{color:#8a041a;text-decoration:line-through}.after{color:#0e5814}.chart{background:#fff;box-shadow:0 1px 2px #0002;max-width:640px}
.chart .rec{fill:#2680c2}.chart .dur{fill:none;stroke:#cb6e17;stroke-width:2}.chart .dot{fill:#cb6e17}.chart text{font-size:11px;fill:#3e4c59}
.pager{display:flex;gap:16px;margin:10px 0}.login{max-width:360px;margin:40px auto;background:#fff;padding:20px 24px;box-shadow:0 1px 3px #0003}
.login label{display:block;margin:10px 0 4px}.login input{width:100%}.login button{margin-top:16px;width:100%}
.progress{background:#fff;padding:10px 16px;box-shadow:0 1px 2px #0002}.progress progress{width:100%;height:14px}
.steps{list-style:none;display:flex;flex-wrap:wrap;gap:6px;padding:0;margin:12px 0}.steps li{padding:4px 12px;border-radius:14px;background:#e4e7eb;color:#3e4c59}
.steps li.done{background:#e3f9e5;color:#0e5814}.steps li[aria-current=step]{background:#102a43;color:#fff;font-weight:600}.steps a{color:inherit}
.form{background:#fff;padding:12px 20px 16px;box-shadow:0 1px 2px #0002;max-width:760px}.form label{display:block;margin:12px 0 4px;font-weight:600}
.form input:not([type=radio]):not([type=checkbox]),.form select{width:100%;max-width:520px}.form label.inline{display:inline-block;margin-right:16px;font-weight:400}
.form label.inline input{width:auto}.form fieldset{border:1px solid #cbd2d9;margin:12px 0;padding:6px 12px}.form button{margin-top:14px}
.form .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:4px 16px}.form .grid label{font-weight:400}
.form p.muted{margin:4px 0}.checks{list-style:none;padding:0}.checks li{margin:4px 0}
a.button{display:inline-block;padding:5px 12px;border-radius:4px;background:#0b4f9c;color:#fff;text-decoration:none;border:1px solid #0b4f9c}
a.button.secondary{background:#fff;color:#0b4f9c}.discard{margin-top:28px}table.sample{margin:10px 0}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}`;

/** Run page: polls the workflow's progress query while the run is running, then reloads to show the report. */
export const RUN_JS = `(() => {
  const box = document.getElementById('progress');
  if (!box || box.dataset.status !== 'running') return;
  const id = box.dataset.run;
  const set = (name, text) => { const el = box.querySelector('[data-field="' + name + '"]'); if (el) el.textContent = text; };
  const tick = async () => {
    try {
      const res = await fetch('/api/runs/' + encodeURIComponent(id) + '/progress', { headers: { accept: 'application/json' } });
      if (res.ok) {
        const body = await res.json();
        if (body.status !== 'running') { location.reload(); return; }
        const p = body.progress || {};
        set('phase', p.phase || '?');
        set('pages', String(p.pagesDone ?? 0));
        set('counts', Object.entries(p.counts || {}).filter(([, n]) => n > 0).map(([k, n]) => k.replace(/_/g, ' ') + ' ' + n).join(', ') || 'none yet');
        set('live', body.live ? 'live' : 'waiting for the worker');
        set('datasets', Object.values(p.datasets || {}).map((d) => d.dataset + ': ' + d.phase + (d.status === 'not_permitted' ? ' (not permitted)' : '')).join(' · '));
      }
    } catch (e) { set('live', 'connection lost, retrying'); }
    setTimeout(tick, 1000);
  };
  tick();
})();`;

/** Conflicts inbox: "select all" for one side, so a bulk resolution is two clicks. */
export const CONFLICTS_JS = `(() => {
  for (const button of document.querySelectorAll('[data-pick-all]')) {
    button.hidden = false;
    button.addEventListener('click', () => {
      for (const radio of document.querySelectorAll('input[type=radio][value="' + button.dataset.pickAll + '"]')) radio.checked = true;
    });
  }
})();`;
