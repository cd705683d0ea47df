// Image Foundry in Cockpit (Camunda 7.14+ frontend plugin API): the dashboard's Builds panel, a build's
// "Cancel build" action and its "Build log" tab. The server side is BuildsResource; every text from a
// build goes into the page as text, never as HTML.

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

const buildsPanel = {
  id: "image-foundry.builds",
  pluginPoint: "cockpit.dashboard",
  priority: 100,
  render: (node, { api }) => {
    const url = buildsApi(api);
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
        el("thead", {}, el("tr", {}, ...["Build", "State", "Phase", "Progress", "Node", "Started", "Duration",
          "Error", "Open"].map(h => el("th", { text: h })))),
        body),
      el("div", {}, previous, " ", next)));

    async function load() {
      clearTimeout(timer);
      try {
        const rows = await getJson(`${url}?limit=${PAGE}&offset=${offset}${state ? `&state=${state}` : ""}`);
        body.replaceChildren(...rows.map(build => el("tr", { "data-build": build.id },
          el("td", {}, el("code", { text: build.id })),
          el("td", {}, stateLabel(build.state)),
          el("td", { text: build.phase || "" }),
          el("td", { text: `${Math.round(build.progress * 100)} %` }),
          el("td", { text: build.node || "" }),
          el("td", { text: new Date(build.createdAt).toLocaleString() }),
          el("td", { text: duration(build.durationMs) }),
          el("td", { class: "text-danger", style: "max-width: 28em; overflow-wrap: anywhere", text: build.error || "" }),
          el("td", {}, buildLinks(url, build)))));
        if (!rows.length) {
          body.replaceChildren(el("tr", {}, el("td", { colspan: 9, class: "text-muted",
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

export default [buildsPanel, cancelAction, logTab];
