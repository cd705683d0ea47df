// Image Foundry in Cockpit (Camunda 7.14+ frontend plugin API): the dashboard's Builds panel, a build's
// "Cancel build" action, its "Build log" tab and its Phases picture (in the panel and as a tab). The
// server side is BuildsResource; every text from a build goes into the page as text, never as HTML.

const STATES = ["QUEUED", "RUNNING", "INCIDENT", "SUCCEEDED", "SKIPPED", "FAILED", "CANCELLED"];
const ENDED = ["SUCCEEDED", "SKIPPED", "FAILED", "CANCELLED"];
const PAGE = 20;

function buildsApi(api) {
  const base = document.querySelector("base");
  const cockpitApi = (api && api.cockpitApi) || base.getAttribute("cockpit-api");
  const engine = (api && api.engine) || base.getAttribute("engine-name") || "default";
  return `${cockpitApi.replace(/\/$/, "")}/plugin/image-foundry/${engine}/builds`;
}

function csrf(api) {
  return (api && api.CSRFToken) || "";
}

async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) {
    throw new Error(`${response.status} ${response.statusText}`);
  }
  return response.json();
}

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  Object.entries(attributes || {}).forEach(([name, value]) => {
    if (name === "text") {
      node.textContent = value;
    } else if (name.startsWith("on")) {
      node.addEventListener(name.substring(2), value);
    } else if (value !== null && value !== undefined) {
      node.setAttribute(name, value);
    }
  });
  children.filter(child => child !== null && child !== undefined).forEach(child =>
    node.appendChild(typeof child === "string" ? document.createTextNode(child) : child));
  return node;
}

function duration(ms) {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min ${s % 60} s`
    : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function stateLabel(state) {
  const colour = { SUCCEEDED: "success", SKIPPED: "default", FAILED: "danger", INCIDENT: "danger",
    CANCELLED: "default", RUNNING: "info", QUEUED: "warning" }[state] || "default";
  return el("span", { class: `label label-${colour}`, "data-state": state, text: state });
}

function buildLinks(url, build) {
  const links = el("span", { class: "image-foundry-links" });
  const add = (href, text, download) => {
    if (links.childNodes.length) {
      links.appendChild(document.createTextNode(" · "));
    }
    links.appendChild(el("a", { href, target: download ? null : "_blank", download: download ? "" : null, text }));
  };
  if (!ENDED.includes(build.state) && build.processInstanceId) {
    add(`#/process-instance/${build.processInstanceId}/runtime`, "instance");
  }
  add(`${url}/${build.id}/log.txt`, "log");
  if (ENDED.includes(build.state)) {
    if (build.hasMetadata) {
      add(`${url}/${build.id}/metadata.yaml`, "metadata");
    }
    (build.images || []).forEach(image =>
      add(`${url}/${build.id}/images/${encodeURIComponent(image.name)}`, image.name, true));
  }
  return links;
}


// The Phases picture: a bar per task on a time axis from the build's creation to its end (or now),
// drawn as SVG from GET …/builds/{id}/phases. Blue: a phase; orange: compensation; grey: the sweep;
// red: cut short by the build's error or cancel; a red cross: a failed attempt (retried, or the
// incident that waits); hatched: the phase running now.
const SVG = "http://www.w3.org/2000/svg";
const COLOURS = { phase: "#2f7ebc", compensation: "#e8902b", sweep: "#8c8c8c", cut: "#c9302c", running: "#9cc4e4" };

function svg(tag, attributes, text) {
  const node = document.createElementNS(SVG, tag);
  Object.entries(attributes || {}).forEach(([name, value]) => node.setAttribute(name, value));
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function shortDuration(ms) {
  if (ms < 1000) {
    return `${ms} ms`;
  }
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(s < 10 ? 1 : 0)} s` : duration(ms);
}

/** A tick step of about a sixth of the span, at a round number of seconds or minutes. */
function tickStep(spanMs) {
  const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].map(s => s * 1000);
  return steps.find(step => spanMs / step <= 7) || 7200 * 1000;
}

function tickLabel(ms) {
  const s = Math.round(ms / 1000);
  return s === 0 ? "0" : s < 60 ? `${s} s` : s % 60 === 0 ? `${s / 60} min` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function phasesPicture(timeline, now) {
  const start = Date.parse(timeline.createdAt);
  const ended = timeline.endedAt ? Date.parse(timeline.endedAt) : null;
  const end = Math.max(ended || now, start + 1000,
    ...timeline.bars.map(b => b.endedAt ? Date.parse(b.endedAt) : now),
    ...timeline.failedAttempts.map(f => Date.parse(f.at)));
  // rows in the order the tasks first ran or first failed
  const rows = [];
  const rowOf = phase => {
    let row = rows.find(r => r.phase === phase);
    if (!row) {
      row = { phase, bars: [], failures: [], first: Infinity };
      rows.push(row);
    }
    return row;
  };
  timeline.bars.forEach(bar => {
    const row = rowOf(bar.phase);
    row.bars.push(bar);
    row.first = Math.min(row.first, Date.parse(bar.startedAt));
  });
  timeline.failedAttempts.forEach(failure => {
    const row = rowOf(failure.phase);
    row.failures.push(failure);
    row.first = Math.min(row.first, Date.parse(failure.at));
  });
  // a running build's current task has no history yet: it runs from the last end to now
  const running = !ended && timeline.phase && !timeline.bars.some(b => b.phase === timeline.phase && !b.endedAt)
    ? timeline.phase : null;
  if (running && timeline.state !== "QUEUED") {
    const since = Math.max(start, ...timeline.bars.map(b => Date.parse(b.endedAt || b.startedAt)));
    const row = rowOf(running);
    row.running = { from: since, incident: timeline.state === "INCIDENT" };
    row.first = Math.min(row.first, since);
  }
  rows.sort((a, b) => a.first - b.first);

  const label = 190, right = 80, top = 34, rowHeight = 20, barHeight = 12, width = 960;
  const plot = width - label - right;
  const height = top + rows.length * rowHeight + 10;
  const x = t => label + (t - start) / (end - start) * plot;
  const picture = svg("svg", { class: "image-foundry-phases", viewBox: `0 0 ${width} ${height}`, width: "100%",
    role: "img", "font-family": "Helvetica Neue, Helvetica, Arial, sans-serif", "font-size": "11" });
  picture.appendChild(svg("title", {}, `Phases of build ${timeline.id}`));
  const defs = svg("defs");
  const hatch = svg("pattern", { id: `hatch-${timeline.id}`, width: "6", height: "6", patternUnits: "userSpaceOnUse",
    patternTransform: "rotate(45)" });
  hatch.append(svg("rect", { width: "6", height: "6", fill: COLOURS.running }),
    svg("line", { x1: "0", y1: "0", x2: "0", y2: "6", stroke: "#fff", "stroke-width": "3" }));
  defs.appendChild(hatch);
  picture.appendChild(defs);

  const step = tickStep(end - start);
  for (let t = 0; t <= end - start; t += step) {
    picture.append(svg("line", { x1: x(start + t), x2: x(start + t), y1: top - 6, y2: height - 6, stroke: "#e3e3e3" }),
      svg("text", { x: x(start + t), y: top - 10, "text-anchor": "middle", fill: "#777" }, tickLabel(t)));
  }
  picture.appendChild(svg("text", { x: 4, y: 12, "font-weight": "bold", fill: "#333" },
    `${timeline.state} · ${duration(end - start)}${timeline.failedAttempts.length
      ? ` · ${timeline.failedAttempts.length} failed attempt${timeline.failedAttempts.length > 1 ? "s" : ""}` : ""}`));

  rows.forEach((row, i) => {
    const y = top + i * rowHeight;
    const kind = row.bars.length ? row.bars[0].kind : "phase";
    picture.appendChild(svg("text", { x: label - 8, y: y + barHeight - 2, "text-anchor": "end",
      fill: kind === "compensation" ? "#a8601a" : "#333", "data-phase": row.phase }, row.phase));
    let last = null;
    row.bars.forEach(bar => {
      const from = Date.parse(bar.startedAt);
      const to = bar.endedAt ? Date.parse(bar.endedAt) : now;
      const colour = bar.cutShort ? COLOURS.cut : COLOURS[bar.kind] || COLOURS.phase;
      const rect = svg("rect", { x: x(from), y, width: Math.max(2, x(to) - x(from)), height: barHeight, rx: 2,
        fill: colour, class: `bar ${bar.kind}${bar.cutShort ? " cut" : ""}`, "data-phase": bar.phase });
      rect.appendChild(svg("title", {}, `${bar.phase}: ${shortDuration(to - from)}${bar.cutShort ? " (cut short)" : ""}`));
      picture.appendChild(rect);
      last = { to, ms: bar.durationMs === null ? to - from : bar.durationMs };
    });
    if (row.running) {
      const rect = svg("rect", { x: x(row.running.from), y, width: Math.max(2, x(now) - x(row.running.from)),
        height: barHeight, rx: 2, fill: `url(#hatch-${timeline.id})`, class: "bar running",
        stroke: row.running.incident ? COLOURS.cut : "none", "stroke-width": "1.5" });
      rect.appendChild(svg("title", {}, `${row.phase}: ${row.running.incident ? "incident: waits for a retry or a cancel" : "running"}`));
      picture.appendChild(rect);
      last = { to: now, text: row.running.incident ? "incident" : "running" };
    }
    if (last) {
      picture.appendChild(svg("text", { x: x(last.to) + 4, y: y + barHeight - 2, fill: "#555" },
        last.text || shortDuration(last.ms)));
    }
    row.failures.forEach(failure => {
      const cx = x(Date.parse(failure.at));
      const mark = svg("g", { class: "failed-attempt", stroke: COLOURS.cut, "stroke-width": "2.2" });
      mark.append(svg("line", { x1: cx - 4, y1: y + 2, x2: cx + 4, y2: y + barHeight - 2 }),
        svg("line", { x1: cx - 4, y1: y + barHeight - 2, x2: cx + 4, y2: y + 2 }),
        svg("title", {}, `failed attempt at ${new Date(failure.at).toLocaleTimeString()}: ${failure.message || ""}`));
      picture.appendChild(mark);
    });
  });
  return picture;
}

function phasesLegend() {
  const item = (colour, text, pattern) => el("span", { style: "margin-right: 14px; white-space: nowrap" },
    el("span", { style: `display: inline-block; width: 14px; height: 10px; margin-right: 4px; vertical-align: middle; `
      + `background: ${pattern || colour}` }), text);
  return el("div", { class: "image-foundry-phases-legend text-muted", style: "font-size: 12px; margin: 2px 0 6px" },
    item(COLOURS.phase, "phase"), item(COLOURS.compensation, "compensation (undo)"), item(COLOURS.sweep, "sweep"),
    item(COLOURS.cut, "cut short (error, cancel)"),
    el("span", { style: `margin-right: 14px; color: ${COLOURS.cut}; font-weight: bold`, text: "✕ failed attempt (retried)" }),
    item(COLOURS.running, "running", `repeating-linear-gradient(45deg, ${COLOURS.running} 0 3px, #fff 3px 6px)`));
}

/** Draws a build's Phases picture into {@code node}, again every 5 s while the build runs. */
function showPhases(node, url, id) {
  const status = el("p", { class: "text-muted image-foundry-phases-status", text: "loading the phases…" });
  const holder = el("div", { class: "image-foundry-phases-holder" });
  node.replaceChildren(status, holder);
  const draw = async () => {
    try {
      const timeline = await getJson(`${url}/${id}/phases`);
      holder.replaceChildren(phasesLegend(), phasesPicture(timeline, Date.now()));
      status.textContent = timeline.error ? `${timeline.state}: ${timeline.error}` : "";
      status.className = timeline.error ? "text-danger image-foundry-phases-status" : "text-muted image-foundry-phases-status";
      if (!ENDED.includes(timeline.state) && node.isConnected) {
        setTimeout(draw, 5000);
      }
    } catch (e) {
      status.textContent = `could not load the phases: ${e.message}`;
    }
  };
  draw();
}

const buildsPanel = {
  id: "image-foundry.builds",
  pluginPoint: "cockpit.dashboard",
  priority: 1000, // first among the dashboard plugins
  render: (node, { api }) => {
    const url = buildsApi(api);
    moveToTheTop(node);
    const open = new Set(); // builds whose Phases picture is shown
    let state = "";
    let offset = 0;
    let timer = null;

    const filter = el("select", { class: "form-control input-sm", id: "image-foundry-state",
      onchange: () => { state = filter.value; offset = 0; load(); } },
      el("option", { value: "", text: "every state" }),
      ...STATES.map(s => el("option", { value: s, text: s })));
    const status = el("span", { class: "text-muted image-foundry-status" });
    const body = el("tbody");
    const previous = el("button", { class: "btn btn-default btn-sm", type: "button", text: "‹ newer",
      onclick: () => { offset = Math.max(0, offset - PAGE); load(); } });
    const next = el("button", { class: "btn btn-default btn-sm", type: "button", text: "older ›",
      onclick: () => { offset += PAGE; load(); } });

    node.appendChild(el("section", { class: "image-foundry-builds" },
      el("h1", { class: "section-title", text: "Builds" }),
      el("div", { class: "form-inline", style: "margin-bottom: 8px" },
        el("label", { for: "image-foundry-state", text: "State " }), " ", filter, " ", status),
      el("table", { class: "cam-table table table-condensed" },
        el("thead", {}, el("tr", {}, ...["Build", "State", "Phase", "Progress", "Node", "Arch", "Started", "Duration",
          "Error", "Open"].map(h => el("th", { text: h })))),
        body),
      el("div", {}, previous, " ", next)));

    const pictures = new Map(); // a shown picture's row, kept across refreshes so it does not flicker

    function phasesRow(build) {
      if (!pictures.has(build.id)) {
        const cell = el("td", { colspan: 10 });
        pictures.set(build.id, el("tr", { class: "image-foundry-phases-row", "data-phases-of": build.id }, cell));
        showPhases(cell, url, build.id);
      }
      return pictures.get(build.id);
    }

    async function load() {
      clearTimeout(timer);
      [...pictures.keys()].filter(id => !open.has(id)).forEach(id => pictures.delete(id));
      try {
        const rows = await getJson(`${url}?limit=${PAGE}&offset=${offset}${state ? `&state=${state}` : ""}`);
        body.replaceChildren(...rows.flatMap(build => [el("tr", { "data-build": build.id },
          el("td", {}, el("code", { text: build.id })),
          el("td", {}, stateLabel(build.state)),
          el("td", { text: build.phase || "" }),
          el("td", { text: `${Math.round(build.progress * 100)} %` }),
          el("td", { text: build.node || "" }),
          el("td", { class: "image-foundry-arch", text: build.architecture || "" }),
          el("td", { text: new Date(build.createdAt).toLocaleString() }),
          el("td", { text: duration(build.durationMs) }),
          el("td", { class: "text-danger", style: "max-width: 28em; overflow-wrap: anywhere", text: build.error || "" }),
          el("td", {}, buildLinks(url, build), " · ", el("a", { href: "", class: "image-foundry-phases-toggle",
            text: open.has(build.id) ? "hide phases" : "phases",
            onclick: event => { event.preventDefault(); open.has(build.id) ? open.delete(build.id) : open.add(build.id); load(); } }))),
          open.has(build.id) ? phasesRow(build) : null].filter(row => row)));
        if (!rows.length) {
          body.replaceChildren(el("tr", {}, el("td", { colspan: 10, class: "text-muted",
            text: offset ? "no older builds" : "no builds yet" })));
        }
        previous.disabled = offset === 0;
        next.disabled = rows.length < PAGE;
        status.textContent = `builds ${offset + 1}–${offset + rows.length}, refreshed ${new Date().toLocaleTimeString()}`;
      } catch (e) {
        status.textContent = `could not load the builds: ${e.message}`;
      }
      if (node.isConnected) {
        timer = setTimeout(load, 5000);
      }
    }
    load();
  }
};

/**
 * Cockpit puts every dashboard plugin into its "Custom Plugins" section, below the fold; plugin priority
 * orders plugins only within that section. Operators open Cockpit for the builds: the section moves to
 * the top of the dashboard, and its own heading gives way to the panel's "Builds" when the panel is alone in it.
 */
function moveToTheTop(node, attempts = 50) {
  const section = node.closest && node.closest("section.deprecate");
  const dashboard = section && section.closest(".dashboard");
  if (!dashboard) {
    if (attempts > 0) {
      requestAnimationFrame(() => moveToTheTop(node, attempts - 1));
    }
    return;
  }
  if (dashboard.firstElementChild !== section) {
    dashboard.insertBefore(section, dashboard.firstElementChild);
  }
  const heading = section.querySelector(":scope > .inner > header");
  if (heading && section.querySelectorAll(".deprecate-dashboard-view").length === 1) {
    heading.style.display = "none";
  }
}

const cancelAction = {
  id: "image-foundry.cancel",
  pluginPoint: "cockpit.processInstance.runtime.action",
  priority: 100,
  render: (node, { api, processInstanceId }) => {
    const url = buildsApi(api);
    Promise.all([getJson(`${url}/viewer`), getJson(`${url}/by-process-instance/${processInstanceId}`)])
      .then(([viewer, build]) => {
        if (!viewer.mayCancel || ENDED.includes(build.state)) {
          return; // admins only, and only while the build runs
        }
        const confirmation = el("div", { class: "image-foundry-confirm", style: "display: none; position: absolute; "
          + "right: 0; z-index: 1000; width: 24em; padding: 10px; background: #fff; border: 1px solid #ccc; "
          + "box-shadow: 0 2px 6px rgba(0,0,0,.2); white-space: normal" });
        const button = el("button", { class: "btn btn-default action-button image-foundry-cancel", type: "button",
          title: "Cancel build: undo its steps (compensation), release what is left, and end it CANCELLED",
          onclick: () => { confirmation.style.display = "block"; } },
          el("span", { class: "glyphicon glyphicon-ban-circle" }));
        const result = el("div", { class: "image-foundry-cancel-result" });
        confirmation.append(
          el("p", { text: `Cancel build ${build.id}? Its steps are undone, what is left is released, and it ends CANCELLED.` }),
          el("button", { class: "btn btn-danger btn-sm image-foundry-cancel-confirm", type: "button", text: "Cancel build",
            onclick: async () => {
              const response = await fetch(`${url}/${build.id}/cancel`, { method: "POST", credentials: "same-origin",
                headers: { Accept: "application/json", "X-XSRF-TOKEN": csrf(api) } });
              result.textContent = response.ok ? "cancelling: compensation runs, then the sweep"
                : `could not cancel: ${response.status}`;
            } }),
          " ",
          el("button", { class: "btn btn-default btn-sm", type: "button", text: "Keep it running",
            onclick: () => { confirmation.style.display = "none"; } }),
          result);
        node.appendChild(el("span", { style: "position: relative; display: inline-block" }, button, confirmation));
      })
      .catch(() => { /* not a build, or no right to see it: no action */ });
  }
};

const logTab = {
  id: "image-foundry.log",
  pluginPoint: "cockpit.processInstance.runtime.tab",
  priority: 100,
  properties: { label: "Build log" },
  render: (node, { api, processInstanceId }) => {
    const url = buildsApi(api);
    const status = el("p", { class: "text-muted image-foundry-log-status", text: "loading the log…" });
    const text = el("pre", { class: "image-foundry-log", style: "max-height: 60vh; overflow: auto; white-space: pre-wrap" });
    node.append(status, text);
    let from = 0;
    getJson(`${url}/by-process-instance/${processInstanceId}`).then(build => {
      const follow = async () => {
        try {
          const chunk = await getJson(`${url}/${build.id}/log?from=${from}`);
          const atBottom = text.scrollTop + text.clientHeight >= text.scrollHeight - 4;
          text.appendChild(document.createTextNode(chunk.text));
          if (atBottom) {
            text.scrollTop = text.scrollHeight;
          }
          from = chunk.next;
          status.textContent = chunk.ended ? `build ${build.id}: the whole log`
            : `build ${build.id}: following the log as it grows`;
          if (!chunk.ended && node.isConnected) {
            setTimeout(follow, chunk.text.length ? 200 : 2000);
          }
        } catch (e) {
          status.textContent = `could not read the log: ${e.message}`;
        }
      };
      follow();
    }).catch(e => { status.textContent = `no build log: ${e.message}`; });
  }
};

const phasesTab = {
  id: "image-foundry.phases",
  pluginPoint: "cockpit.processInstance.runtime.tab",
  priority: 110,
  properties: { label: "Phases" },
  render: (node, { api, processInstanceId }) => {
    const url = buildsApi(api);
    const holder = el("div", { class: "image-foundry-phases-tab" });
    node.appendChild(holder);
    getJson(`${url}/by-process-instance/${processInstanceId}`)
      .then(build => showPhases(holder, url, build.id))
      .catch(e => { holder.textContent = `no build: ${e.message}`; });
  }
};

export default [buildsPanel, cancelAction, logTab, phasesTab];
