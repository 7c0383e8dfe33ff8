// Sluice's dashboard: plain JavaScript over the REST API (/api/v1), no build step, no network
// beyond this Sluice. Hash routes: #/ (deployments), #/deployments/ID[?action=promote|abort],
// #/services, #/services/NAME, #/flags, #/migrations, #/releases.
"use strict";

const POLL_MS = 2000;
const FINAL = new Set(["SUCCEEDED", "FAILED", "ROLLED_BACK", "ABORTED"]);
const SYMBOLS = { SUCCEEDED: "✔", FAILED: "✖", ROLLED_BACK: "✖", ABORTED: "⚠", PAUSED: "॥", PENDING: "◷", RUNNING: "◌" };

let token = sessionStorage.getItem("sluice.token");
let timer = null;
let routeSeq = 0;

class ApiError extends Error {
  constructor(status, message, body) { super(message); this.status = status; this.body = body; }
}

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = "Bearer " + token;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = { message: text }; }
  if (response.status === 401) {
    askToken(data && data.message);
    throw new ApiError(401, "a token is needed", data);
  }
  if (!response.ok) {
    const why = data && (data.message || data.error) || response.statusText;
    const field = data && data.field ? " (" + data.field + ")" : "";
    throw new ApiError(response.status, response.status === 403 ? "not allowed: " + why : why + field, data);
  }
  return data;
}

function esc(value) {
  return String(value == null ? "" : value).replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
const $ = id => document.getElementById(id);
const view = () => $("view");

function say(text, kind) {
  const box = $("message");
  box.textContent = text;
  box.className = kind || "";
  box.hidden = !text;
}

function askToken(why) {
  const dialog = $("login");
  if (dialog.open) return;
  $("login-text").textContent = why || "This Sluice needs a token.";
  dialog.showModal();
}
$("login").addEventListener("close", () => {
  const value = $("login-token").value.trim();
  if (value) {
    token = value; sessionStorage.setItem("sluice.token", value); say(""); route();
    // The same token lets the Temporal UI decrypt payloads through the codec endpoint: it can
    // send only cookies, so trade the token for the codec's session cookie.
    api("POST", "/api/v1/codec/session").catch(() => {});
  }
});

/** Asks for confirmation; resolves to the reason typed, or null when cancelled. */
function confirmAction(title, text) {
  return new Promise(resolve => {
    const dialog = $("confirm");
    $("confirm-title").textContent = title;
    $("confirm-text").textContent = text;
    $("confirm-reason").value = "";
    dialog.returnValue = "";
    dialog.addEventListener("close", function done() {
      dialog.removeEventListener("close", done);
      resolve(dialog.returnValue === "ok" ? $("confirm-reason").value.trim() : null);
    });
    dialog.showModal();
  });
}

const time = t => t ? new Date(t).toLocaleString() : "";
const pct = x => x == null ? "–" : (x * 100).toFixed(2) + "%";
function state(d) { return `<span class="state s-${esc(d.state)}">${SYMBOLS[d.state] || ""} ${esc(d.state)}</span>`; }
function left(until) {
  if (!until) return "";
  const ms = new Date(until) - Date.now();
  if (ms <= 0) return "due";
  const s = Math.round(ms / 1000);
  return s >= 3600 ? Math.floor(s / 3600) + "h " + Math.floor(s % 3600 / 60) + "m" : s >= 60 ? Math.floor(s / 60) + "m " + (s % 60) + "s" : s + "s";
}

function schedule(fn, ms) { clearTimeout(timer); timer = setTimeout(fn, ms); }

// --- routes ---------------------------------------------------------------------------------

async function route() {
  clearTimeout(timer);
  const seq = ++routeSeq;
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query] = hash.split("?");
  const params = new URLSearchParams(query || "");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  document.querySelectorAll("[data-nav]").forEach(a => a.classList.toggle("active", a.dataset.nav === (parts[0] || "deployments")));
  const current = () => seq === routeSeq;
  try {
    if (parts[0] === "deployments" && parts[1]) await deployment(parts[1], params, current, true);
    else if (parts[0] === "services" && parts[1]) await service(parts[1]);
    else if (parts[0] === "services") await services();
    else if (parts[0] === "flags") await flags();
    else if (parts[0] === "migrations") await migrations();
    else if (parts[0] === "releases") await releases();
    else await deployments(params, current);
  } catch (e) {
    if (current()) { say(e.message); if (!view().dataset.shown) view().innerHTML = ""; }
  }
}
window.addEventListener("hashchange", () => { say(""); view().dataset.shown = ""; route(); });

// --- deployments list -----------------------------------------------------------------------

async function deployments(params, current) {
  const filters = { service: params.get("service") || "", state: params.get("state") || "", attention: params.get("attention") === "1" };
  const query = new URLSearchParams({ limit: "100" });
  if (filters.service) query.set("service", filters.service);
  if (filters.state) query.set("state", filters.state);
  const [list, known] = await Promise.all([api("GET", "/api/v1/deployments?" + query), api("GET", "/api/v1/services")]);
  if (!current()) return;
  const rows = list.deployments.filter(d => !filters.attention || d.needsAttention);
  const option = (value, chosen) => `<option value="${esc(value)}" ${value === chosen ? "selected" : ""}>${esc(value || "any")}</option>`;
  view().innerHTML = `
    <h1>Deployments</h1>
    <div class="filters">
      <label>Service <select id="f-service">${["", ...known.services.map(s => s.name)].map(s => option(s, filters.service)).join("")}</select></label>
      <label>State <select id="f-state">${["", "PENDING", "RUNNING", "PAUSED", "SUCCEEDED", "FAILED", "ROLLED_BACK", "ABORTED"].map(s => option(s, filters.state)).join("")}</select></label>
      <label><input type="checkbox" id="f-attention" ${filters.attention ? "checked" : ""}> Needs attention (waiting for a person, failed, inconclusive)</label>
    </div>
    <table id="deployments"><thead><tr><th></th><th>Deployment</th><th>Service</th><th>Version</th><th>Strategy</th><th>Phase</th><th>Step</th><th>By</th><th>Started</th></tr></thead>
    <tbody>${rows.map(d => `<tr data-id="${esc(d.id)}">
      <td>${state(d)}</td><td><a href="#/deployments/${encodeURIComponent(d.id)}">${esc(d.id)}</a></td>
      <td><a href="#/services/${encodeURIComponent(d.service)}">${esc(d.service)}</a></td><td>${esc(d.version)}</td>
      <td>${esc(d.strategy)}</td><td>${esc(d.phase)}</td><td>${d.batch ? esc(d.batch.current + "/" + d.batch.total) : ""}</td>
      <td>${esc(d.requestedBy)}</td><td class="muted">${esc(time(d.createdAt))}</td></tr>`).join("") || `<tr><td colspan="9" class="muted">No deployments.</td></tr>`}</tbody></table>`;
  view().dataset.shown = "1";
  const refilter = () => {
    const q = new URLSearchParams();
    if ($("f-service").value) q.set("service", $("f-service").value);
    if ($("f-state").value) q.set("state", $("f-state").value);
    if ($("f-attention").checked) q.set("attention", "1");
    location.hash = "#/" + (q.toString() ? "?" + q : "");
  };
  ["f-service", "f-state", "f-attention"].forEach(id => $(id).addEventListener("change", refilter));
  schedule(() => current() && deployments(params, current).catch(e => say(e.message)), 5000);
}

// --- one deployment -------------------------------------------------------------------------

const CONTROLS = [
  { action: "promote", label: "Promote", text: "Go on to the next step now.", can: d => !FINAL.has(d.state) && !!d.links.promote && (d.waiting != null || d.phase === "WAITING" || d.phase === "ANALYSING") },
  { action: "promote-full", label: "Promote full", text: "Skip every remaining step and roll the new version out to all targets.", can: d => d.strategy === "canary" && !FINAL.has(d.state) && !!d.links.promote && (d.waiting != null || d.phase === "WAITING" || d.phase === "ANALYSING") },
  { action: "pause", label: "Pause", text: "Stop before the next step until resumed.", can: d => d.state === "RUNNING" && !!d.links.pause },
  { action: "resume", label: "Resume", text: "Carry on from where it paused.", can: d => d.state === "PAUSED" && !!d.links.resume },
  { action: "abort", label: "Abort", text: "Stop and roll back to the previous version.", danger: true, can: d => !FINAL.has(d.state) && !!d.links.abort },
  { action: "retry", label: "Retry", text: "Start this deployment again from the beginning.", can: d => !!d.links.retry },
];

async function control(d, c) {
  const reason = await confirmAction(c.label + " " + d.id + "?", c.text);
  if (reason === null) return;
  const body = {};
  if (reason) body.reason = reason;
  const action = c.action === "promote-full" ? "promote" : c.action;
  if (c.action === "promote-full") body.full = true;
  try {
    const answer = await api("POST", "/api/v1/deployments/" + encodeURIComponent(d.id) + "/" + action, body);
    say(answer && answer.outcome === "pending" ? c.label + " sent; no worker has taken it yet" : c.label + ": " + (answer && answer.outcome || "accepted"), "info");
  } catch (e) {
    say(c.label + " refused: " + e.message);
  }
  route();
}

function chart(metric) {
  const W = 400, H = 160, L = 44, R = 8, T = 10, B = 22;
  const pts = metric.points;
  const values = pts.flatMap(p => [p.canary, p.baseline]).filter(v => v != null);
  const limit = metric.pValue == null && metric.threshold != null ? metric.threshold : null;
  if (limit != null) values.push(limit);
  const top = Math.max(...values, 0) * 1.15 || (metric.measure === "rate" ? 0.01 : 1);
  // The x axis is time: each point where its interval ended (by index when times cannot span it).
  const times = pts.map(p => Date.parse(p.at)).filter(t => !isNaN(t));
  const t0 = Math.min(...times), t1 = Math.max(...times);
  const n = Math.max(...pts.map(p => p.interval), 1);
  const timed = times.length === pts.length && t1 > t0;
  const xAt = p => L + (W - L - R) * (timed ? (Date.parse(p.at) - t0) / (t1 - t0) : p.interval / n);
  const y = v => T + (H - T - B) * (1 - v / top);
  const fmt = v => metric.measure === "rate" ? (v * 100).toFixed(v * 100 < 1 ? 2 : 1) + "%" : (Math.round(v * 10) / 10).toString();
  const series = (key, cls) => {
    const have = pts.filter(p => p[key] != null);
    const line = have.map(p => xAt(p).toFixed(1) + "," + y(p[key]).toFixed(1)).join(" ");
    return `<polyline class="line ${cls}" fill="none" stroke="var(--${cls})" stroke-width="2" points="${line}"/>`
      + have.map(p => `<circle class="pt ${cls}" cx="${xAt(p).toFixed(1)}" cy="${y(p[key]).toFixed(1)}" r="3" fill="var(--${cls})"><title>${esc(key)} ${esc(fmt(p[key]))} · interval ${p.interval + 1} · ${esc(time(p.at))}</title></circle>`).join("");
  };
  const grid = [0, 0.5, 1].map(f => `<line x1="${L}" x2="${W - R}" y1="${y(top * f)}" y2="${y(top * f)}" stroke="#e5e7eb"/><text x="${L - 4}" y="${y(top * f) + 4}" text-anchor="end" font-size="10" fill="#6b7280">${esc(fmt(top * f))}</text>`).join("");
  const threshold = limit == null ? "" : `<line class="threshold" x1="${L}" x2="${W - R}" y1="${y(limit)}" y2="${y(limit)}" stroke="var(--bad)" stroke-dasharray="4 3"/>`;
  const clock = t => new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  const ticks = timed ? [0, 0.5, 1].map(f => [L + (W - L - R) * f, clock(t0 + (t1 - t0) * f)]) : [[L, "interval 1"], [W - R, String(n + 1)]];
  const axis = ticks.map(([at, label], i) => `<text class="tick" x="${at.toFixed(1)}" y="${H - 6}" font-size="10" text-anchor="${i === 0 ? "start" : i === ticks.length - 1 ? "end" : "middle"}" fill="#6b7280">${esc(label)}</text>`).join("");
  const last = pts[pts.length - 1] || {};
  const judged = metric.pValue != null
    ? `p = ${metric.pValue.toPrecision(3)} (fails at ≤ ${metric.threshold == null ? "–" : metric.threshold.toPrecision(3)})`
    : metric.threshold != null ? `limit ${esc(fmt(metric.threshold))}` : "";
  return `<div class="chart" data-metric="${esc(metric.name)}">
    <div><b>${esc(metric.name)}</b> <span class="muted">${esc(metric.measure)}</span> · <span class="verdict v-${esc(metric.verdict)}">${esc(metric.verdict)}</span> · ${judged}</div>
    <svg viewBox="0 0 ${W} ${H}" preserveAspectRatio="none">${grid}${threshold}${series("baseline", "baseline")}${series("canary", "canary")}
      ${axis}</svg>
    <div class="legend"><b class="c">● canary</b> ${last.canary == null ? "no data" : esc(fmt(last.canary))} &nbsp; <b class="b">● baseline</b> ${last.baseline == null ? "–" : esc(fmt(last.baseline))}</div>
    <div class="muted details">${esc(metric.details)}</div></div>`;
}

// A bar's width is set through the CSSOM, not a style attribute: the CSP allows no inline styles.
function widths(root) {
  root.querySelectorAll("[data-width]").forEach(el => { el.style.width = el.dataset.width + "%"; });
}

async function deployment(id, params, current, first) {
  const path = "/api/v1/deployments/" + encodeURIComponent(id);
  const [d, analysis] = await Promise.all([api("GET", path), api("GET", path + "/analysis")]);
  if (!current()) return;
  const targets = d.targets || [];
  const weight = d.trafficWeight;
  const actual = d.actualWeight;
  const versions = d.strategy === "canary" ? `stable ${esc(d.previousVersion || "–")} · canary ${esc(d.version)}`
    : d.strategy === "blue-green" ? `active ${esc(d.previousVersion || "–")} · preview ${esc(d.version)}` : `${esc(d.previousVersion || "–")} → ${esc(d.version)}`;
  const runs = (analysis.runs || []).slice().reverse();
  view().innerHTML = `
    <h1>${state(d)} <span class="mono" id="deployment-id">${esc(d.id)}</span></h1>
    <p><a href="#/services/${encodeURIComponent(d.service)}">${esc(d.service)}</a> · ${esc(d.strategy)} · version <b>${esc(d.version)}</b>
      · requested by ${esc(d.requestedBy || "–")} · ${esc(time(d.createdAt))}
      ${d.links.temporal ? ` · <a href="${esc(d.links.temporal)}" target="_blank" rel="noopener" id="temporal-link">Temporal UI</a>` : ""}</p>
    ${d.reason ? `<p class="muted" id="reason">${esc(d.reason)}</p>` : ""}
    <div class="cards">
      <div class="card"><div class="label">Phase</div><b id="phase">${esc(d.phase)}</b></div>
      <div class="card"><div class="label">Step</div><b id="step">${d.batch ? esc(d.batch.current + " / " + d.batch.total) : "–"}</b></div>
      <div class="card"><div class="label">Versions</div>${versions}</div>
      <div class="card"><div class="label">Traffic to the new version</div>
        ${weight == null ? "–" : `<div class="bar" title="set to ${weight}%"><span data-width="${Math.max(0, Math.min(100, weight))}"></span></div><b id="weight">${weight}%</b> new · ${100 - weight}% stable (set)`}
        ${actual == null ? "" : `<div class="bar actual" title="${actual.percent.toFixed(1)}% of requests"><span data-width="${Math.max(0, Math.min(100, actual.percent))}"></span></div><b id="actual-weight">${actual.percent.toFixed(1)}%</b> actual <span class="muted">(${actual.canaryRequests} of ${actual.canaryRequests + actual.baselineRequests} requests at ${esc(new Date(actual.at).toLocaleTimeString())})</span>`}</div>
      <div class="card"><div class="label">Waiting</div>${d.waiting ? `${esc(d.waiting.what)}<br><span class="muted">${d.waiting.until ? esc(left(d.waiting.until)) + " left · " : ""}ends on ${esc(d.waiting.endsOn)}</span>` : "–"}</div>
    </div>
    <div class="actions">${CONTROLS.map(c => `<button id="do-${c.action}" class="${c.danger ? "danger" : ""}" ${c.can(d) ? "" : "disabled"}>${esc(c.label)}</button>`).join("")}</div>
    <h2>Analysis</h2>
    ${runs.length === 0 ? `<p class="muted">No analysis yet.</p>` : runs.map(r => `<div class="run"><p class="muted">${esc(r.kind)} analysis · ${esc(time(r.startedAt))} → ${esc(time(r.endedAt))}</p>
      <div class="charts">${r.metrics.map(chart).join("")}</div></div>`).join("")}
    <h2>Targets</h2>
    <table id="targets"><thead><tr><th>Target</th><th>Version</th><th>Was</th><th>State</th><th>Detail</th></tr></thead>
      <tbody>${targets.map(t => `<tr><td>${esc(t.id)}</td><td>${esc(t.version)}</td><td class="muted">${esc(t.previousVersion)}</td><td>${esc(t.state)}</td><td class="muted">${esc(t.detail)}</td></tr>`).join("")}</tbody></table>
    <h2>Events</h2>
    <ol class="timeline" id="events">${(d.events || []).map(e => `<li><span class="muted mono">${esc(time(e.at))}</span> <b>${esc(e.type)}</b> ${e.target ? esc(e.target) + ": " : ""}${esc(e.message)}</li>`).join("")}</ol>`;
  view().dataset.shown = "1";
  widths(view());
  CONTROLS.forEach(c => $("do-" + c.action).addEventListener("click", () => control(d, c)));
  const asked = first && params.get("action");
  const wanted = CONTROLS.find(c => c.action === asked);
  if (asked) {
    // An action link (from a notification) is used once: reloads and later polls just show the page.
    history.replaceState(null, "", "#/deployments/" + encodeURIComponent(id));
    if (!wanted) say("unknown action " + asked);
    else if (wanted.can(d)) { control(d, wanted); return; }
    else say(wanted.label + " is not possible now: the deployment is " + d.state + " (" + d.phase + ")");
  }
  if (!FINAL.has(d.state)) schedule(() => current() && deployment(id, params, current, false).catch(e => say(e.message)), POLL_MS);
}

// --- services -------------------------------------------------------------------------------

async function services() {
  const list = await api("GET", "/api/v1/services");
  view().innerHTML = `<h1>Services</h1><table><thead><tr><th>Service</th><th>Strategy</th><th>Router</th><th>Deployer</th></tr></thead>
    <tbody>${list.services.map(s => `<tr><td><a href="#/services/${encodeURIComponent(s.name)}">${esc(s.name)}</a></td>
      <td>${esc(s.definition && s.definition.defaultStrategy)}</td><td>${esc(s.definition && s.definition.trafficRouter && s.definition.trafficRouter.type)}</td>
      <td>${esc(s.definition && s.definition.deployer && s.definition.deployer.type)}</td></tr>`).join("")}</tbody></table>`;
  view().dataset.shown = "1";
}

async function service(name) {
  const path = "/api/v1/services/" + encodeURIComponent(name);
  const [history, list] = await Promise.all([api("GET", path + "/history"), api("GET", "/api/v1/deployments?limit=200&service=" + encodeURIComponent(name))]);
  const rollbackable = new Set(list.deployments.filter(d => d.state === "SUCCEEDED" && d.version !== history.current).map(d => d.version));
  const offered = new Set();
  view().innerHTML = `<h1>${esc(name)}</h1>
    <p>Runs <b id="current">${esc(history.current || "(mixed or unknown)")}</b>${history.previous ? ` · previous ${esc(history.previous)}` : ""}</p>
    <h2>Deployments</h2>
    <table id="history"><thead><tr><th></th><th>Version</th><th>Strategy</th><th>By</th><th>Started</th><th>Finished</th><th>Deployment</th><th></th></tr></thead>
    <tbody>${list.deployments.map(d => {
      const offer = rollbackable.has(d.version) && !offered.has(d.version);
      if (offer) offered.add(d.version);
      return `<tr><td>${state(d)}</td><td>${esc(d.version)}</td><td>${esc(d.strategy)}</td><td>${esc(d.requestedBy)}</td>
        <td class="muted">${esc(time(d.createdAt))}</td><td class="muted">${esc(time(d.finishedAt))}</td>
        <td><a href="#/deployments/${encodeURIComponent(d.id)}">${esc(d.id)}</a></td>
        <td>${offer ? `<button class="rollback" data-version="${esc(d.version)}">Roll back to ${esc(d.version)}</button>` : ""}
          ${offer && d.version === history.previous ? `<button class="rollback danger" data-fast="1" data-version="${esc(d.version)}" title="skips bakes, pauses and analysis; batches as large as max-unavailable allows">Fast rollback</button>` : ""}</td></tr>`;
    }).join("")}</tbody></table>
    <h2>Targets</h2><table><tbody>${Object.entries(history.targets || {}).map(([t, v]) => `<tr><td>${esc(t)}</td><td>${esc(v)}</td></tr>`).join("")}</tbody></table>`;
  view().dataset.shown = "1";
  view().querySelectorAll("button.rollback").forEach(b => b.addEventListener("click", async () => {
    const version = b.dataset.version;
    const fast = b.dataset.fast === "1";
    const reason = await confirmAction((fast ? "Fast rollback of " : "Roll ") + name + (fast ? " to " : " back to ") + version + "?",
      fast ? "An emergency rollback: no bakes, pauses or analysis, batches as large as max-unavailable allows; health checks still run."
        : version === history.previous ? "The previous version: an instant switch back for blue-green in its window, else a deployment of it." : "A new deployment of " + version + " with the service's strategy.");
    if (reason === null) return;
    try {
      const body = reason ? { reason } : {};
      if (fast) body.fast = true;
      const answer = version === history.previous
        ? await api("POST", path + "/rollback", body)
        : await api("POST", "/api/v1/deployments", { service: name, version });
      const id = answer && (answer.deploymentId || answer.id || (answer.deployment && answer.deployment.id));
      if (id) location.hash = "#/deployments/" + encodeURIComponent(id); else { say("Rollback started", "info"); route(); }
    } catch (e) { say("Rollback refused: " + e.message); }
  }));
}

// --- flags, migrations, releases ------------------------------------------------------------

function split(definition) {
  const found = [];
  (function walk(node) {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === "object") {
      if (Array.isArray(node.fractional)) {
        const buckets = node.fractional.filter(Array.isArray);
        const total = buckets.reduce((s, b) => s + (b.length > 1 ? Number(b[1]) : 1), 0) || 1;
        found.push(buckets.map(b => esc(b[0]) + " " + Math.round((b.length > 1 ? Number(b[1]) : 1) * 100 / total) + "%").join(" / "));
      }
      Object.values(node).forEach(walk);
    }
  })(definition && definition.targeting);
  return found.join("; ") || "everyone: " + esc(definition && definition.defaultVariant);
}

async function flags() {
  const [list, stale] = await Promise.all([api("GET", "/api/v1/flags"), api("GET", "/api/v1/flags/stale")]);
  const staleKeys = new Map(stale.flags.map(f => [f.key, f]));
  view().innerHTML = `<h1>Feature flags</h1><table id="flags"><thead><tr><th>Flag</th><th>State</th><th>Serving</th><th>Type</th><th>Owner</th><th>Version</th><th>Changed</th><th></th></tr></thead>
    <tbody>${list.flags.map(f => {
      const on = f.definition && f.definition.state === "ENABLED";
      return `<tr data-key="${esc(f.key)}"><td><b>${esc(f.key)}</b> ${staleKeys.has(f.key) ? `<span class="stale" title="${esc((staleKeys.get(f.key).reasons || []).join("; "))}">stale</span>` : ""}</td>
        <td class="state ${on ? "s-SUCCEEDED" : "s-FAILED"}">${esc(f.definition && f.definition.state)}</td><td>${split(f.definition)}</td>
        <td>${esc(f.type)}</td><td>${esc(f.owner)}</td><td>${esc(f.version)}</td><td class="muted">${esc(time(f.updatedAt))} ${esc(f.updatedBy)}</td>
        <td><button class="${on ? "danger kill" : "enable"}" data-key="${esc(f.key)}">${on ? "Kill switch" : "Enable"}</button></td></tr>`;
    }).join("")}</tbody></table>`;
  view().dataset.shown = "1";
  view().querySelectorAll("button.kill, button.enable").forEach(b => b.addEventListener("click", async () => {
    const kill = b.classList.contains("kill");
    const reason = await confirmAction((kill ? "Kill " : "Enable ") + b.dataset.key + "?", kill ? "Everyone gets the code's default at once." : "Turn the flag back on.");
    if (reason === null) return;
    try { await api("POST", "/api/v1/flags/" + encodeURIComponent(b.dataset.key) + (kill ? "/disable" : "/enable"), reason ? { reason } : {}); say("Done", "info"); }
    catch (e) { say((kill ? "Kill" : "Enable") + " refused: " + e.message); }
    route();
  }));
}

async function listed(title, path, key, columns) {
  let answer;
  try { answer = await api("GET", path); } catch (e) {
    if (e.status === 404 || e.status === 405) { view().innerHTML = `<h1>${esc(title)}</h1><p class="muted">This Sluice cannot list them yet.</p>`; return; }
    throw e;
  }
  const rows = answer[key] || [];
  view().innerHTML = `<h1>${esc(title)}</h1><table><thead><tr>${columns.map(c => `<th>${esc(c[0])}</th>`).join("")}</tr></thead>
    <tbody>${rows.map(r => `<tr>${columns.map(c => `<td>${c[1](r)}</td>`).join("")}</tr>`).join("") || `<tr><td colspan="${columns.length}" class="muted">None.</td></tr>`}</tbody></table>`;
  view().dataset.shown = "1";
}

const field = name => r => esc(typeof r[name] === "object" && r[name] !== null ? JSON.stringify(r[name]) : r[name]);

const status = key => r => esc(r.status && r.status[key] != null ? r.status[key] : "");

async function migrations() {
  await listed("Schema migrations", "/api/v1/migrations", "migrations", [
    ["Datasource", field("datasource")], ["Migration", status("name")], ["Phase", status("phase")],
    ["Rows backfilled", status("rowsBackfilled")], ["Reason", r => esc(r.status ? r.status.reason : r.answer === "none" ? "no migration yet" : r.message || r.answer)]]);
  const schema = view().innerHTML;
  await listed("Dual-write migrations", "/api/v1/dual-writes", "dualWrites", [
    ["Name", field("name")], ["Flag", field("flagKey")], ["Phase", status("phase")], ["State", status("state")],
    ["Compared", status("compared")], ["Mismatches", status("mismatches")], ["Started", r => esc(time(r.startedAt) + " " + (r.startedBy || ""))]]);
  view().innerHTML = schema + view().innerHTML;
}

async function releases() {
  await listed("Releases", "/api/v1/releases", "releases", [
    ["Release", field("id")], ["State", field("state")], ["Stage", field("stage")],
    ["Deployment", r => r.deployment ? `<a href="#/deployments/${encodeURIComponent(r.deployment)}">${esc(r.deployment)}</a>` : ""],
    ["Migration", field("migration")], ["Flag rollout", field("flagRollout")],
    ["Started", r => esc(time(r.startedAt) + " " + (r.startedBy || ""))]]);
}

route();
