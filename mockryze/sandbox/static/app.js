// mockryze sandbox: a plain client of the public API (/api), the control plane (/__mock__) and the
// WebSocket (/ws/{instance}). No build step, no dependencies.
"use strict";

const TICK_MS = 1000;
const LIST_EVERY_TICKS = 10; // /api/instance/list is rate-limited like every /api route: refresh it sparingly
const EVENT_LOG_LIMIT = 500;
const WS_RETRY_MS = 3000; // a closed WebSocket is opened again after this long
const PREVIEW_MIN_BASE64 = 200; // shorter "base64" is a stand-in hash (media sent by URL keeps no bytes): no preview
const STATE_LABELS = {
  qr: "qr", connecting: "connecting", connected: "connected", disconnected: "disconnected",
  loggedout: "loggedout", temp_banned: "banned", banned: "banned",
};
const TICK_LABELS = { pending: "pending", sent: "sent", delivered: "delivered", read: "read", played: "played" };

const $ = (selector) => document.querySelector(selector);
const state = {
  config: null,
  token: sessionStorage.getItem("mockryze.token") || "",
  controlToken: sessionStorage.getItem("mockryze.controlToken") || "",
  instances: [], // from /api/instance/list
  states: {}, // name -> lifecycle state from the control plane
  selected: null, // instance name
  chat: null, // chat JID
  connect: null, // {name, kind, qrCode, png, pairingCode, at}
  clock: null,
  events: [],
  filter: "",
  ws: null,
  wsFor: null,
  wsOpening: false,
  wsRetryAt: 0,
  ticks: 0,
  chatsDirty: true,
  data: null,
  tallies: {},
  known: new Map(), // id -> the last stored copy seen: a revoked message leaves the store, its bubble stays
  revoked: new Set(), // ids revoked (message_revoke over the WebSocket)
  edited: new Set(), // ids edited (message_edit)
  shipped: null, // the scenarios shipped with mockryze (GET /__mock__/scenarios/shipped)
  rendered: { instances: "", chats: "", messages: "", deliveries: "", scenarios: "", faults: "" },
};

// --- HTTP -------------------------------------------------------------------------------------
class Refused extends Error {}

async function call(method, path, body, token) {
  const headers = {};
  const chosen = token || state.token;
  if (chosen) headers.token = chosen;
  if (state.controlToken && path.startsWith("/__mock__")) headers["X-Mockryze-Control-Token"] = state.controlToken;
  const init = { method, headers };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = { raw: text }; }
  if (!response.ok) {
    const message = (data && data.error && data.error.message) || `HTTP ${response.status}`;
    const detail = response.headers.get("X-Mockryze-Detail");
    throw new Refused(detail ? `${message} (${detail})` : message);
  }
  return data;
}

function say(message, isError) {
  const box = $("#status");
  box.textContent = message;
  box.classList.toggle("error", Boolean(isError));
}

function guarded(action) {
  return async (...args) => {
    try {
      await action(...args);
    } catch (error) {
      say(error instanceof Refused ? error.message : `Failed: ${error.message}`, true);
    }
  };
}

const esc = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => ({
  "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
}[c]));

const enc = encodeURIComponent;
const digits = (jid) => String(jid || "").split("@")[0].split(":")[0];
const timeOf = (iso) => (iso ? String(iso).slice(11, 19) : "");

// The attributes that name a control across re-renders: focus follows it into the new markup.
const FOCUS_KEYS = ["data-act", "data-name", "data-jid", "data-redeliver", "data-id", "data-reply"];

function focusSelector(element) {
  const li = element.closest("[data-name]");
  const parts = FOCUS_KEYS.filter((key) => element.hasAttribute(key))
    .map((key) => `[${key}="${CSS.escape(element.getAttribute(key))}"]`);
  if (!parts.length) return null;
  return (li && li !== element ? `[data-name="${CSS.escape(li.dataset.name)}"] ` : "") + element.tagName + parts.join("");
}

function setHtml(element, key, html) {
  if (state.rendered[key] === html) return false;
  state.rendered[key] = html;
  const focused = element.contains(document.activeElement) ? focusSelector(document.activeElement) : null;
  element.innerHTML = html;
  const again = focused && element.querySelector(focused);
  if (again) again.focus();
  return true;
}

// --- account and clock ------------------------------------------------------------------------
function useToken(token) {
  state.token = token.trim();
  sessionStorage.setItem("mockryze.token", state.token);
  $("#token").value = state.token;
  state.selected = null;
  state.chat = null;
  state.instances = [];
  refreshInstances().then(() => say(state.token ? "Account token set." : "No token."), (error) => say(error.message, true));
}

async function refreshClock() {
  state.clock = await call("GET", "/__mock__/clock");
  $("#clock").textContent = state.clock.iso.replace("T", " ");
  const frozen = state.clock.frozen;
  $("#freeze").setAttribute("aria-pressed", String(frozen));
  $("#freeze").textContent = frozen ? "Unfreeze" : "Freeze";
}

async function moveClock(body) {
  state.clock = await call("POST", "/__mock__/clock", body);
  state.chatsDirty = true;
  await refreshClock();
  await tick();
}

// --- instances --------------------------------------------------------------------------------
async function refreshInstances() {
  if (!state.token) {
    state.instances = [];
    renderInstances();
    return;
  }
  const listed = await call("GET", "/api/instance/list");
  state.instances = listed.instances;
  for (const inst of state.instances) state.states[inst.name] = inst.connection ? inst.connection.state : inst.status;
  if (state.selected && !state.instances.some((i) => i.name === state.selected)) state.selected = null;
  if (!state.selected && state.instances.length) selectInstance(state.instances[0].name);
  renderInstances();
}

async function refreshStates() {
  await Promise.all(state.instances.map(async (inst) => {
    const found = await call("GET", `/__mock__/instances/${enc(inst.name)}`);
    state.states[inst.name] = found.instance.state;
  }));
  renderInstances();
}

function badge(name) {
  const value = state.states[name] || "disconnected";
  const label = STATE_LABELS[value] || value;
  return `<span class="badge" data-state="${esc(label)}" aria-label="state ${esc(label)}">${esc(label)}</span>`;
}

function renderInstances() {
  const html = state.instances.map((inst) => {
    const name = esc(inst.name);
    const current = inst.name === state.selected;
    return `<li class="instance${current ? " current" : ""}" data-name="${name}">
      <button type="button" class="select" data-act="select" aria-pressed="${current}"
        aria-label="Open instance ${name}">${name}</button> ${badge(inst.name)}
      <span class="actions">
        <button type="button" data-act="connect" aria-label="Connect ${name} by QR code">QR</button>
        <button type="button" data-act="pair" aria-label="Connect ${name} by pairing code">Code</button>
        <button type="button" data-act="logout" aria-label="Logout ${name}">Logout</button>
        <button type="button" data-act="delete" aria-label="Delete ${name}">Delete</button>
      </span></li>`;
  }).join("") || `<li class="muted">${state.token ? "No instance yet: create one." : "Choose an account first."}</li>`;
  setHtml($("#instance-list"), "instances", html);
  renderConnect();
}

function instanceToken(name) {
  const found = state.instances.find((i) => i.name === name);
  return found ? found.token : state.token;
}

async function createInstance(event) {
  event.preventDefault();
  const input = $("#new-name");
  const name = input.value.trim();
  if (!name) return;
  await call("POST", "/api/instance/new", { name });
  input.value = "";
  state.selected = name;
  await refreshInstances();
  selectInstance(name);
  say(`Instance ${name} created.`);
}

async function instanceAction(event) {
  const button = event.target.closest("button[data-act]");
  if (!button) return;
  const name = button.closest("li").dataset.name;
  const act = button.dataset.act;
  if (act === "select") selectInstance(name);
  if (act === "connect") await connect(name, null);
  if (act === "pair") {
    const number = window.prompt(`Phone number that will type the pairing code for ${name}:`, "5511987654321");
    if (number) await connect(name, number);
  }
  if (act === "logout") {
    await call("DELETE", `/api/instance/logout/${enc(name)}`);
    say(`Instance ${name} logged out.`);
  }
  if (act === "delete") {
    if (!window.confirm(`Delete instance ${name}?`)) return;
    await call("DELETE", `/api/instance/delete/${enc(name)}`);
    if (state.connect && state.connect.name === name) state.connect = null;
    say(`Instance ${name} deleted.`);
  }
  await refreshInstances();
}

async function connect(name, number) {
  const path = `/api/instance/connect/${enc(name)}` + (number ? `?number=${enc(number)}` : "");
  const answer = await call("GET", path, undefined, instanceToken(name));
  selectInstance(name);
  if (!answer.qrCode && !answer.pairingCode) {
    state.connect = null;
    say(answer.message);
  } else {
    const png = answer.qrCodeBase64 || "";
    state.connect = {
      name, kind: answer.pairingCode ? "pairing" : "qr", qrCode: answer.qrCode || "", pairingCode: answer.pairingCode || "",
      src: png.startsWith("data:") ? png : `data:image/png;base64,${png}`, at: state.clock ? state.clock.now : 0,
    };
    say(answer.message);
  }
  await refreshStates();
  renderConnect(true);
}

function renderConnect(focus) {
  const panel = $("#pairing");
  const attempt = state.connect;
  if (!attempt) {
    panel.hidden = true;
    return;
  }
  panel.hidden = false;
  $("#pairing-title").textContent = `Connect ${attempt.name}`;
  const current = state.states[attempt.name];
  const qr = $("#qr");
  qr.hidden = attempt.kind !== "qr" || current === "connected";
  if (attempt.kind === "qr" && qr.getAttribute("src") !== attempt.src) {
    qr.src = attempt.src;
    qr.alt = `QR code for ${attempt.name}`;
    qr.dataset.code = attempt.qrCode;
  }
  const code = $("#pairing-code");
  code.hidden = attempt.kind !== "pairing";
  code.textContent = attempt.pairingCode ? `Pairing code: ${attempt.pairingCode}` : "";
  const waiting = current === "qr";
  $("#scan").disabled = !waiting;
  const now = state.clock ? state.clock.now : attempt.at;
  const elapsed = now - attempt.at;
  const config = state.config || { qrRotateSeconds: 20, qrTimeoutSeconds: 60 };
  let text;
  if (current === "connected") text = "Connected: the simulated phone is paired.";
  else if (!waiting) text = "This attempt is over (expired or cancelled): connect again.";
  else {
    const expires = Math.max(0, Math.ceil(config.qrTimeoutSeconds - elapsed));
    const rotates = config.qrRotateSeconds > 0 && attempt.kind === "qr"
      ? ` · new QR in ${Math.max(0, Math.ceil(config.qrRotateSeconds - elapsed))} s` : "";
    text = `Waiting for the phone${rotates} · expires in ${expires} s (mock clock)`;
  }
  $("#countdown").textContent = text;
  if (focus) $("#scan").focus();
  if (waiting && attempt.kind === "qr" && config.qrRotateSeconds > 0 && elapsed >= config.qrRotateSeconds
      && !attempt.refreshing) {
    attempt.refreshing = true; // the QR rotated: fetch the new image (a new connect attempt, as a real client would)
    guarded(() => connect(attempt.name, null))();
  }
}

async function scan() {
  const attempt = state.connect;
  if (!attempt) return;
  await call("POST", `/__mock__/instances/${enc(attempt.name)}/scan`, {});
  await refreshStates();
  renderConnect();
  say(`The simulated phone scanned: ${attempt.name} is ${state.states[attempt.name]}.`);
  await refreshInstances();
}

function selectInstance(name) {
  if (state.selected !== name) {
    state.selected = name;
    state.chat = null;
    state.chatsDirty = true;
    state.known = new Map();
    state.rendered.chats = state.rendered.messages = "";
  }
  renderInstances();
  guarded(openSocket)();
}

// --- WebSocket --------------------------------------------------------------------------------
async function openSocket() {
  const name = state.selected;
  if (!name || state.wsOpening || (state.ws && state.wsFor === name) || Date.now() < state.wsRetryAt) return;
  const inst = state.instances.find((i) => i.name === name);
  if (!inst) return;
  state.wsOpening = true;
  try {
    if (state.ws) {
      const old = state.ws;
      state.ws = null;
      old.close();
    }
    if (!inst.websocket || !inst.websocket.enabled) {
      await call("POST", `/api/events/websocket/${enc(name)}`, { enabled: true }, inst.token);
      inst.websocket = { ...(inst.websocket || {}), enabled: true };
    }
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    listen(new WebSocket(`${scheme}://${location.host}/ws/${enc(name)}?token=${enc(inst.token)}`), name);
  } finally {
    state.wsOpening = false;
  }
}

function listen(socket, name) {
  state.ws = socket;
  state.wsFor = name;
  socket.onopen = () => { $("#ws-state").textContent = `WebSocket: ${name} open`; };
  socket.onclose = () => {
    if (state.ws === socket) {
      $("#ws-state").textContent = "WebSocket: closed";
      state.ws = null;
      state.wsFor = null;
      state.wsRetryAt = Date.now() + WS_RETRY_MS;
    }
  };
  socket.onmessage = (message) => {
    let envelope;
    try { envelope = JSON.parse(message.data); } catch (_) { return; }
    addEvent(envelope);
    if (String(envelope.event).startsWith("message.") || envelope.event === "label.update") state.chatsDirty = true;
    if (envelope.event === "message.exchange") noteExchange(envelope.data || {});
    if (envelope.event === "instance.state" && envelope.instanceData) {
      const data = envelope.data || {};
      if (data.state === "connected") state.states[envelope.instanceData.instance] = "connected";
    }
  };
}

function noteExchange(data) {
  const message = data.message || data;
  const type = message.type || message.messageType;
  if (type === "message_revoke") state.revoked.add(data.id || message.message_id);
  const edit = message.edit || data.edit;
  if (edit) state.edited.add(edit.original_id || edit.originalId || edit.id);
}

// --- events -----------------------------------------------------------------------------------
const EVENTS_SHOWN = 200;
let eventSeq = 0;

function eventItem(entry) {
  const envelope = entry.envelope;
  const data = envelope.data || {};
  const summary = [data.direction, data.state, data.status, data.message && data.message.type].filter(Boolean).join(" ");
  return `<li class="event" data-event="${esc(envelope.event)}"><details><summary>
    <span class="etype">${esc(envelope.event)}</span> <span class="muted">${esc(summary)} ${esc(timeOf(data.timestamp))}</span>
    </summary><pre>${esc(JSON.stringify(envelope, null, 2))}</pre>
    <button type="button" data-copy="json" data-seq="${entry.seq}">Copy JSON</button>
    <button type="button" data-copy="curl" data-seq="${entry.seq}">Copy as curl</button></details></li>`;
}

const shownEvent = (entry) => !state.filter || entry.envelope.event === state.filter;
const NO_EVENT = `<li class="muted empty">No event yet. Events of the open instance arrive here over its WebSocket.</li>`;

function renderEvents() { // the whole log: on start and when the filter changes
  const html = state.events.filter(shownEvent).slice(0, EVENTS_SHOWN).map(eventItem).join("");
  $("#event-log").innerHTML = html || NO_EVENT;
}

function addEvent(envelope) { // one more: prepended, so an envelope someone expanded stays open
  const entry = { seq: ++eventSeq, envelope };
  state.events.unshift(entry);
  state.events.length = Math.min(state.events.length, EVENT_LOG_LIMIT);
  if (!shownEvent(entry)) return;
  const log = $("#event-log");
  const empty = log.querySelector(".empty");
  if (empty) empty.remove();
  log.insertAdjacentHTML("afterbegin", eventItem(entry));
  while (log.children.length > EVENTS_SHOWN) log.lastElementChild.remove();
}

async function copyEvent(event) {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const entry = state.events.find((e) => e.seq === Number(button.dataset.seq));
  if (!entry) return;
  const envelope = entry.envelope;
  const json = JSON.stringify(envelope, null, 2);
  const text = button.dataset.copy === "json" ? json
    : `curl -X POST "$WEBHOOK_URL" -H 'Content-Type: application/json' -d '${JSON.stringify(envelope).replace(/'/g, "'\\''")}'`;
  try {
    await navigator.clipboard.writeText(text);
    say("Copied.");
  } catch (_) {
    say("The browser refused the clipboard: select the JSON and copy it by hand.", true);
  }
}

async function refreshDeliveries() {
  if (!state.selected) return;
  const listed = await call("GET", `/__mock__/deliveries?instance=${enc(state.selected)}`);
  const rows = listed.deliveries.slice(-100).reverse().map((d) => {
    const last = d.attempts[d.attempts.length - 1];
    const code = last ? (last.statusCode ?? (last.error || "error")) : "—";
    const latency = last ? `${Math.round(last.latencyMs)} ms` : "—";
    const next = d.status === "dead" ? "dead letter" : d.status === "pending" ? (d.attempts.length ? "retrying" : "queued") : "done";
    return `<tr data-id="${esc(d.id)}" data-status="${esc(d.status)}"><td>${esc(d.id)}</td><td>${esc(d.event)}</td>
      <td><span class="dstatus" data-status="${esc(d.status)}">${esc(d.status)}</span></td>
      <td class="attempts">${d.attempts.length}</td><td>${esc(code)}</td><td>${esc(latency)}</td><td>${esc(next)}</td>
      <td><button type="button" data-redeliver="${esc(d.id)}" aria-label="Redeliver ${esc(d.id)}">Redeliver</button></td></tr>`;
  }).join("") || `<tr><td colspan="8" class="muted">No webhook delivery yet (configure one with POST /api/events/webhook).</td></tr>`;
  setHtml($("#deliveries tbody"), "deliveries", rows);
}

async function redeliver(event) {
  const button = event.target.closest("button[data-redeliver]");
  if (!button) return;
  await call("POST", `/__mock__/deliveries/${enc(button.dataset.redeliver)}/redeliver`, {});
  say(`${button.dataset.redeliver} queued again.`);
  await refreshDeliveries();
}

// --- chats ------------------------------------------------------------------------------------
async function refreshChats() {
  const name = state.selected;
  if (!name || !state.chatsDirty) return;
  state.chatsDirty = false;
  const base = `/__mock__/instances/${enc(name)}`;
  const [chats, contacts, labels, messages] = await Promise.all([
    call("GET", `${base}/chats`), call("GET", `${base}/contacts`), call("GET", `${base}/labels`),
    call("GET", `${base}/messages`),
  ]);
  if (name !== state.selected) return;
  for (const message of messages.messages) {
    state.known.set(message.id, message);
    if (message.edit) state.edited.add(message.edit.original_id);
  }
  state.data = { chats: chats.chats, contacts: contacts.contacts, labels: labels.labels, messages: messages.messages };
  renderChats();
  renderMessages();
}

function contactName(jid) {
  const contacts = (state.data && state.data.contacts) || [];
  const found = contacts.find((c) => c.jid === jid || c.number === digits(jid));
  return (found && (found.full_name || found.push_name || found.business_name || found.first_name)) || digits(jid);
}

function preview(message) {
  if (!message) return "";
  if (message.revoked || state.revoked.has(message.id)) return "🚫 This message was deleted";
  const icons = { image: "📷 ", video: "🎥 ", audio: "🎤 ", document: "📄 ", sticker: "💟 ", location: "📍 ", contact: "👤 ", poll: "📊 " };
  const interactive = message.blocks && message.blocks.interactive;
  if (interactive && !message.content) return `↩️ ${interactive.title || buttonTitle(interactive.selectedButtonId)}`;
  return (icons[message.type] || "") + (message.content || message.type);
}

function renderChats() {
  const data = state.data;
  if (!data) return;
  const lastById = new Map(data.messages.map((m) => [m.id, m]));
  const labelName = new Map((data.labels || []).map((l) => [String(l.id), l]));
  const chats = [...data.chats].sort((a, b) => String(b.lastMessageAt || "").localeCompare(String(a.lastMessageAt || "")));
  const html = chats.map((chat) => {
    const last = lastById.get(chat.lastMessageId);
    const labels = (chat.labels || []).map((id) => {
      const label = labelName.get(String(id));
      return `<span class="label">${esc(label ? label.name : id)}</span>`;
    }).join("");
    const unread = chat.unreadCount ? `<span class="unread" aria-label="${chat.unreadCount} unread">${chat.unreadCount}</span>` : "";
    const current = chat.jid === state.chat;
    return `<li><button type="button" class="chat${current ? " current" : ""}" data-jid="${esc(chat.jid)}" aria-pressed="${current}">
      <span class="chat-name">${esc(contactName(chat.jid))}</span><span class="chat-time">${esc(timeOf(chat.lastMessageAt))}</span>
      <span class="chat-last">${esc(preview(last))}</span>${unread}<span class="labels">${labels}</span></button></li>`;
  }).join("") || `<li class="muted">No chat yet: open one with a contact number.</li>`;
  setHtml($("#chat-list"), "chats", html);
}

function ticks(message) {
  if (message.direction !== "outgoing") return "";
  const status = TICK_LABELS[message.status] || message.status;
  const marks = { pending: "🕓", sent: "✓", delivered: "✓✓", read: "✓✓", played: "✓✓" }[message.status] || "✓";
  return `<span class="ticks" data-status="${esc(status)}" aria-label="${esc(status)}" title="${esc(status)}">${marks}</span>`;
}

function bubbleBody(message) {
  const blocks = message.blocks || {};
  const media = message.media;
  if (message.revoked) return `<em class="muted">🚫 This message was deleted</em>`;
  if (blocks.poll) {
    const tally = state.tallies[message.id] || {};
    const options = blocks.poll.options.map((o) => `<li><button type="button" class="reply" data-reply="vote"
      data-id="${esc(o.name)}" data-message="${esc(message.id)}" aria-label="Vote ${esc(o.name)} as the contact">${esc(o.name)}</button>
      <span class="muted tally">${tally[o.name] || 0}</span></li>`).join("");
    return `<strong>📊 ${esc(blocks.poll.title)}</strong><ul class="poll">${options}</ul>`;
  }
  if (blocks.location) {
    const l = blocks.location;
    return `📍 <strong>${esc(l.name || "Location")}</strong> ${esc(l.address || "")}<br><span class="muted">${esc(l.latitude ?? l.degreesLatitude)}, ${esc(l.longitude ?? l.degreesLongitude)}</span>`;
  }
  if (blocks.contact) return `👤 <strong>${esc(message.content)}</strong>`;
  if (blocks.buttons) {
    const buttons = (blocks.buttons.buttons || []).map((b) => {
      const label = b.title || b.displayText || b.id;
      return (b.type || "REPLY") === "REPLY"
        ? `<button type="button" class="reply" data-reply="button" data-id="${esc(b.id)}" data-message="${esc(message.id)}">${esc(label)}</button>`
        : `<span class="reply-link">${esc(label)} <span class="muted">${esc(b.type)}</span></span>`;
    }).join("");
    return `${esc(message.content)}<div class="replies">${buttons}</div>`;
  }
  if (blocks.list) {
    const rows = (blocks.list.sections || []).flatMap((s) => s.rows || []).map((r) =>
      `<button type="button" class="reply" data-reply="list" data-id="${esc(r.id || r.rowId)}" data-title="${esc(r.title)}" data-message="${esc(message.id)}">${esc(r.title)}</button>`).join("");
    return `${esc(message.content)}<div class="replies">${rows}</div>`;
  }
  if (blocks.interactive) {
    const chosen = blocks.interactive.title || buttonTitle(blocks.interactive.selectedButtonId) || "";
    return `↩️ <em>${esc(chosen)}</em>`;
  }
  if (blocks.pollUpdate) return `🗳️ <em>voted ${esc((blocks.pollUpdate.selectedOptions || []).map((o) => o.name).join(", "))}</em>`;
  if (blocks.reaction) return `${esc(blocks.reaction.text)} <span class="muted">reaction</span>`;
  if (media) {
    const icon = { image: "📷", video: "🎥", audio: "🎤", document: "📄", sticker: "💟" }[media.type] || "📎";
    const shown = ["image", "sticker"].includes(media.type) && media.base64 && media.base64.length > PREVIEW_MIN_BASE64
      ? `<img class="preview" alt="${esc(media.caption || media.type)}" src="data:${esc(media.mimeType)};base64,${esc(media.base64)}">` : "";
    return `${shown}<span class="media">${icon} ${esc(media.fileName || media.type)} <span class="muted">${esc(media.mimeType || "")}</span></span>${message.content ? `<br>${esc(message.content)}` : ""}`;
  }
  return esc(message.content);
}

function buttonTitle(id) {
  for (const message of state.known.values()) {
    const found = ((message.blocks && message.blocks.buttons && message.blocks.buttons.buttons) || []).find((b) => b.id === id);
    if (found) return found.title || found.displayText || id;
  }
  return id;
}

function renderMessages() {
  const data = state.data;
  const list = $("#messages");
  const title = $("#conversation-title");
  if (!data || !state.chat) {
    title.textContent = "No chat selected";
    setHtml(list, "messages", "");
    return;
  }
  title.textContent = contactName(state.chat);
  state.tallies = {};
  const hidden = new Set(["message_edit", "message_revoke", "poll_update", "reaction"]);
  const stored = new Set(data.messages.map((m) => m.id));
  // stored messages, and the bubbles of revoked ones ("This message was deleted"), in the order first seen
  const messages = [...state.known.values()].filter((m) => m.chat === state.chat
    && (stored.has(m.id) || state.revoked.has(m.id))).map((m) => (stored.has(m.id) ? m : { ...m, revoked: true }));
  const reactions = {};
  const votes = {};
  for (const m of messages) {
    if (m.blocks && m.blocks.reaction && m.blocks.reaction.messageId) {
      reactions[m.blocks.reaction.messageId] = (reactions[m.blocks.reaction.messageId] || "") + m.blocks.reaction.text;
    }
    if (m.blocks && m.blocks.pollUpdate) { // a voter's latest vote replaces the earlier one, as on WhatsApp
      (votes[m.blocks.pollUpdate.pollMessageId] ||= {})[m.sender] = m.blocks.pollUpdate.selectedOptions || [];
    }
  }
  for (const [pollId, byVoter] of Object.entries(votes)) {
    const tally = (state.tallies[pollId] = {});
    for (const chosen of Object.values(byVoter)) for (const o of chosen) tally[o.name] = (tally[o.name] || 0) + 1;
  }
  const html = messages.filter((m) => !hidden.has(m.type)).map((m) => {
    const edited = state.edited.has(m.id) && !m.revoked ? `<span class="muted edited">edited</span> ` : "";
    return `<li class="bubble ${m.direction === "outgoing" ? "out" : "in"}${m.revoked ? " revoked" : ""}" data-id="${esc(m.id)}" data-type="${esc(m.type)}">
      <div class="body">${bubbleBody(m)}</div><div class="meta">${edited}${esc(timeOf(m.timestamp))} ${m.revoked ? "" : ticks(m)}</div>${reactions[m.id] ? `<span class="reaction" aria-label="reactions ${esc(reactions[m.id])}">${esc(reactions[m.id])}</span>` : ""}</li>`;
  }).join("");
  if (setHtml(list, "messages", html)) list.scrollTop = list.scrollHeight;
}

async function selectChat(jid) {
  state.chat = jid;
  state.chatsDirty = true;
  state.rendered.messages = "";
  await refreshChats();
  $("#contact-text").focus();
}

async function openChat(event) {
  event.preventDefault();
  const number = digits($("#chat-number").value.replace(/[^\d@.a-z]/gi, ""));
  if (!number || !state.selected) return;
  state.chat = `${number}@s.whatsapp.net`;
  $("#chat-number").value = "";
  await selectChat(state.chat);
}

async function sendAsContact(event) {
  event.preventDefault();
  const input = $("#contact-text");
  const kind = $("#contact-kind").value;
  if (!state.selected || !state.chat || (kind === "text" && !input.value.trim())) return;
  const text = input.value.trim();
  const fields = {
    text: { text: input.value },
    image: text ? { caption: text } : {},
    document: text ? { fileName: text } : {},
    audio: { isVoice: true },
    location: { latitude: -23.5614, longitude: -46.6559, name: text || "Avenida Paulista" },
  }[kind];
  await call("POST", `/__mock__/instances/${enc(state.selected)}/inbound`, { from: digits(state.chat), type: kind, ...fields });
  input.value = "";
  state.chatsDirty = true;
  await refreshChats();
}

async function sendAsInstance(event) {
  event.preventDefault();
  const input = $("#instance-text");
  if (!state.selected || !state.chat || !input.value.trim()) return;
  await call("POST", `/api/message/text/${enc(state.selected)}`, { number: digits(state.chat), message: input.value },
    instanceToken(state.selected));
  input.value = "";
  state.chatsDirty = true;
  await refreshChats();
}

async function replyFromBubble(event) {
  const button = event.target.closest("button.reply");
  if (!button || !state.selected || !state.chat) return;
  const from = digits(state.chat);
  const { reply, message, id, title } = button.dataset;
  const body = {
    button: { from, type: "button_reply", messageId: message, buttonId: id },
    list: { from, type: "list_reply", messageId: message, rowId: id, title },
    vote: { from, type: "poll_vote", pollMessageId: message, options: [id] },
  }[reply];
  await call("POST", `/__mock__/instances/${enc(state.selected)}/inbound`, body);
  state.chatsDirty = true;
  await refreshChats();
}

// --- scenarios and faults ---------------------------------------------------------------------
async function loadShipped() {
  state.shipped = (await call("GET", "/__mock__/scenarios/shipped")).scenarios;
  $("#scenario-pick").innerHTML = state.shipped.map((s) => `<option value="${esc(s.name)}">${esc(s.name)}</option>`).join("");
  describeScenario();
}

function describeScenario() {
  const chosen = (state.shipped || []).find((s) => s.name === $("#scenario-pick").value);
  $("#scenario-about").textContent = chosen
    ? `${chosen.description} (${chosen.steps} steps over ${chosen.end} s on the virtual clock; instance ${chosen.instances.join(", ")}.)`
    : "";
}

async function playScenario(event) {
  event.preventDefault();
  const chosen = (state.shipped || []).find((s) => s.name === $("#scenario-pick").value);
  if (!chosen) return;
  const loaded = (await call("POST", "/__mock__/scenarios", chosen.document)).scenario;
  await refreshInstances();
  if (loaded.instances.length) selectInstance(loaded.instances[0]);
  say(`Playing ${loaded.name}: advance the clock to watch it unfold.`);
  await refreshScenarios();
}

async function refreshScenarios() {
  const [loaded, faults] = await Promise.all([call("GET", "/__mock__/scenarios"), call("GET", "/__mock__/faults")]);
  setHtml($("#scenario-progress"), "scenarios", loaded.scenarios.map((p) => {
    const next = p.next === null ? "" : ` · next step at ${p.next} s`;
    const errors = p.errors.length ? ` · ${p.errors.length} error(s)` : "";
    return `<li data-scenario="${esc(p.id)}"><strong>${esc(p.name)}</strong> ${esc(p.status)}: ${p.done}/${p.steps} steps${next} · ${p.replies} replies${errors}</li>`;
  }).join("") || `<li class="muted">No scenario loaded.</li>`);
  setHtml($("#fault-list"), "faults", faults.faults.filter((f) => f.active).map((f) => {
    const scope = [f.route, f.instance, f.contact].filter(Boolean).join(" · ");
    const odds = f.probability === null ? "" : ` · probability ${f.probability}`;
    const times = f.times === null ? "" : ` · ${f.times} time(s)`;
    return `<li><strong>${esc(f.fault)}</strong>${scope ? ` on ${esc(scope)}` : ""}${odds}${times} · ${f.hits} hit(s)</li>`;
  }).join("") || `<li class="muted">No fault in effect.</li>`);
}

// --- the loop ---------------------------------------------------------------------------------
let ticking = false;
async function tick() {
  if (ticking) return;
  ticking = true;
  try {
    if (state.config.controlTokenRequired && !state.controlToken) {
      say("This server guards its control plane: enter the control token and an account token.");
      return;
    }
    await refreshClock();
    if (state.token) {
      if (state.ticks % LIST_EVERY_TICKS === 0) await refreshInstances();
      else await refreshStates();
      if (state.selected && !state.ws) await openSocket(); // closed by a reset, a restart…: open it again
      if (state.ticks % 3 === 0) state.chatsDirty = true;
      await refreshChats();
      await refreshDeliveries();
      if (!state.shipped) await loadShipped();
      await refreshScenarios();
    }
    renderConnect();
    state.ticks += 1;
  } catch (error) {
    say(error.message, true);
  } finally {
    ticking = false;
  }
}

async function start() {
  state.config = await call("GET", "/sandbox/config.json");
  if (state.config.controlTokenRequired) {
    for (const element of document.querySelectorAll(".control-only")) element.hidden = false;
  }
  const preset = new URLSearchParams(location.hash.slice(1)).get("token");
  if (preset) state.token = preset;
  $("#token").value = state.token;
  $("#control-token").value = state.controlToken;
  $("#use-default").disabled = !state.config.defaultAccountToken;
  $("#account").addEventListener("submit", (event) => {
    event.preventDefault();
    state.controlToken = $("#control-token").value.trim();
    sessionStorage.setItem("mockryze.controlToken", state.controlToken);
    useToken($("#token").value);
  });
  $("#use-default").addEventListener("click", () => useToken(state.config.defaultAccountToken || ""));
  for (const button of document.querySelectorAll("[data-advance]")) {
    button.addEventListener("click", guarded(() => moveClock({ advance: Number(button.dataset.advance) })));
  }
  $("#freeze").addEventListener("click", guarded(() => moveClock({ freeze: !(state.clock && state.clock.frozen) })));
  $("#create").addEventListener("submit", guarded(createInstance));
  $("#instance-list").addEventListener("click", guarded(instanceAction));
  $("#scan").addEventListener("click", guarded(scan));
  $("#close-pairing").addEventListener("click", () => { state.connect = null; renderConnect(); });
  $("#chat-list").addEventListener("click", guarded(async (event) => {
    const button = event.target.closest("button[data-jid]");
    if (button) await selectChat(button.dataset.jid);
  }));
  $("#open-chat").addEventListener("submit", guarded(openChat));
  $("#as-contact").addEventListener("submit", guarded(sendAsContact));
  $("#as-instance").addEventListener("submit", guarded(sendAsInstance));
  $("#messages").addEventListener("click", guarded(replyFromBubble));
  $("#messages").addEventListener("error", (event) => { // a preview the browser cannot decode: the caption stays
    if (event.target instanceof HTMLImageElement) event.target.remove();
  }, true);
  $("#event-filter").addEventListener("change", (event) => { state.filter = event.target.value; renderEvents(); });
  $("#event-log").addEventListener("click", guarded(copyEvent));
  $("#deliveries").addEventListener("click", guarded(redeliver));
  $("#scenario-pick").addEventListener("change", describeScenario);
  $("#play").addEventListener("submit", guarded(playScenario));
  if (!state.token && state.config.defaultAccountToken) say("Pick an account: “Use default account” is one click.");
  renderEvents();
  await tick();
  setInterval(tick, TICK_MS);
}

document.addEventListener("DOMContentLoaded", guarded(start));
