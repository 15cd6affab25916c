// The Lead Generation API tester: builds the documented request from the form, shows it as
// curl / Python / JavaScript, submits it, follows the command's progress and shows its leads.
// No framework and no CDN: this file and tester.css are served by Leadmill itself.
"use strict";

const ROUTE = "/api/agents/sales/leadGeneration";
const LIST_FIELDS = ["industries", "companySize", "roles", "locations", "interests"];
const $ = (id) => document.getElementById(id);
const state = { lang: "curl", leads: [], sortKey: "match_score", sortDesc: true, timer: null };

function list(id) {
  return $(id).value.split(",").map((s) => s.trim()).filter(Boolean);
}

function text(id) {
  const value = $(id).value.trim();
  return value === "" ? undefined : value;
}

function number(id) {
  const value = $(id).value.trim();
  return value === "" ? undefined : Number(value);
}

function compact(object) {
  // Leave out what the person did not fill in, so the request shows only their choices.
  const out = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (value && typeof value === "object" && !Array.isArray(value)) {
      const inner = compact(value);
      if (Object.keys(inner).length) out[key] = inner;
      continue;
    }
    out[key] = value;
  }
  return out;
}

function buildRequest() {
  const audience = {};
  for (const field of LIST_FIELDS) audience[field] = list(field);
  const request = compact({
    siteId: text("siteId"),
    userId: text("userId"),
    agent_id: text("agentId"),
    websiteUrl: text("websiteUrl"),
    leadCaptureMechanism: text("leadCaptureMechanism"),
    leadGenData: {
      searchCriteria: {
        keywords: list("keywords"),
        excludedTerms: list("excludedTerms"),
        minRevenueUSD: number("minRevenueUSD"),
        maxRevenueUSD: number("maxRevenueUSD"),
        hasWebsite: $("hasWebsite").checked ? true : undefined,
      },
      productOffering: {
        name: text("productName"),
        primaryValue: text("primaryValue"),
        idealCustomerProfile: text("idealCustomerProfile"),
      },
      businessInfo: {
        name: text("businessName"),
        industry: text("businessIndustry"),
        uniqueSellingPoints: list("uniqueSellingPoints"),
      },
    },
    maxLeads: number("maxLeads"),
    priority: text("priority"),
  });
  // targetAudience is required by the API even when empty: send it as the person left it.
  request.leadGenData = Object.assign({ targetAudience: compact(audience) }, request.leadGenData);
  return request;
}

function code(lang, request) {
  const url = `${location.origin}${ROUTE}`;
  const body = JSON.stringify(request, null, 2);
  if (lang === "python") {
    return `import httpx\n\nresponse = httpx.post(\n    "${url}",\n` +
      `    headers={"x-api-key": "YOUR_API_KEY"},\n    json=${body.replace(/\btrue\b/g, "True")
        .replace(/\bfalse\b/g, "False").replace(/\n/g, "\n    ")},\n)\nprint(response.json())`;
  }
  if (lang === "javascript") {
    return `const response = await fetch("${url}", {\n  method: "POST",\n` +
      `  headers: {"Content-Type": "application/json", "x-api-key": "YOUR_API_KEY"},\n` +
      `  body: JSON.stringify(${body.replace(/\n/g, "\n  ")}),\n});\nconsole.log(await response.json());`;
  }
  return `curl -X POST ${url} \\\n  -H "Content-Type: application/json" \\\n` +
    `  -H "x-api-key: YOUR_API_KEY" \\\n  -d '${JSON.stringify(request).replace(/'/g, "'\\''")}'`;
}

function renderCode() {
  $("code").textContent = code(state.lang, buildRequest());
}

function clearErrors() {
  document.querySelectorAll(".error").forEach((el) => { el.textContent = ""; });
  document.querySelectorAll(".invalid").forEach((el) => el.classList.remove("invalid"));
}

function showError(field, message) {
  // The input whose data-field is the error's field, or the nearest enclosing one
  // ("leadGenData.targetAudience.roles[1]" → roles; "leadGenData.targetAudience" → its card).
  const path = (field || "body").replace(/\[\d+\]$/, "");
  const input = document.querySelector(`[data-field="${CSS.escape(path)}"]`);
  if (input) input.classList.add("invalid");
  const holders = [...document.querySelectorAll("[data-error-for]")];
  let holder = holders.find((el) => el.dataset.errorFor.split(" ").includes(path));
  if (!holder) {
    holder = holders.filter((el) => el.dataset.errorFor.split(" ")
      .some((prefix) => path.startsWith(prefix)))
      .sort((a, b) => b.dataset.errorFor.length - a.dataset.errorFor.length)[0];
  }
  if (!holder && input) holder = input.closest("section").querySelector(".error");
  (holder || $("run-error")).textContent = message;
  (holder || $("run-error")).dataset.field = field || "";
}

async function api(path, options = {}) {
  const response = await fetch(path, Object.assign({}, options, {
    headers: Object.assign({ "Content-Type": "application/json", "x-api-key": $("apiKey").value },
      options.headers || {}),
  }));
  const payload = await response.json().catch(() => ({}));
  return { ok: response.ok, status: response.status, payload };
}

async function submit(event) {
  event.preventDefault();
  clearErrors();
  sessionStorage.setItem("leadmill.apiKey", $("apiKey").value);
  let missing = false;
  for (const [id, label] of [["apiKey", "API key"], ["siteId", "Site ID"], ["websiteUrl", "Website URL"]]) {
    if (!$(id).value.trim()) {
      showError($(id).dataset.field, `${label} is required`);
      missing = true;
    }
  }
  if (missing) return;
  $("submit").disabled = true;
  const { ok, payload } = await api(ROUTE, { method: "POST", body: JSON.stringify(buildRequest()) });
  $("submit").disabled = false;
  if (!ok) {
    const error = payload.error || {};
    const details = error.details || {};
    showError(details.field, [error.message, details.issue].filter(Boolean).join(": ") ||
      "The request failed");
    return;
  }
  follow(payload.data.command_id);
}

function follow(commandId) {
  $("progress").hidden = false;
  $("results").hidden = true;
  $("command-id").textContent = commandId;
  clearInterval(state.timer);
  const poll = async () => {
    const { ok, payload } = await api(`${ROUTE}/status/${commandId}`);
    if (!ok) { $("run-error").textContent = (payload.error || {}).message || "status failed"; return; }
    const data = payload.data;
    const progress = data.progress || { percentage: 100, stage: "done" };
    $("status").textContent = data.status;
    $("stage").textContent = progress.stage || "—";
    $("bar").value = progress.percentage;
    if (data.progress) {
      $("found").textContent = progress.leads_found;
      $("verified").textContent = progress.leads_verified;
    }
    if (data.prefect_run_url) {
      $("prefect-link").href = data.prefect_run_url;
      $("prefect-link").hidden = false;
    }
    if (data.status === "processing") return;
    clearInterval(state.timer);
    if (data.status === "completed") {
      $("found").textContent = data.summary.total_leads;
      $("verified").textContent = Math.round(data.summary.total_leads * data.summary.verified_percentage / 100);
      await loadLeads(commandId, data.summary);
    } else {
      $("run-error").textContent = (data.error || {}).message || `The command ended ${data.status}`;
    }
  };
  state.timer = setInterval(poll, 500);
  poll();
}

async function loadLeads(commandId, summary) {
  const leads = [];
  for (let page = 1; ; page += 1) {
    const { ok, payload } = await api(`${ROUTE}/leads/${commandId}?page=${page}&per_page=100`);
    if (!ok) break;
    leads.push(...payload.data.leads);
    if (page >= payload.data.pagination.total_pages) break;
  }
  state.leads = leads;
  state.sortKey = "match_score";
  state.sortDesc = true;
  $("summary").textContent = `${summary.total_leads} leads, average score ` +
    `${summary.average_match_score}, ${summary.verified_percentage}% verified`;
  renderLeads();
  $("results").hidden = false;
}

function cell(lead, key) {
  const value = lead[key];
  if (key === "match_reasons") return (value || []).join("; ");
  if (key === "verified") return value ? "yes" : "no";
  return value === null || value === undefined ? "" : String(value);
}

function renderLeads() {
  const { sortKey, sortDesc } = state;
  const sorted = [...state.leads].sort((a, b) => {
    const x = a[sortKey], y = b[sortKey];
    const order = typeof x === "number" && typeof y === "number" ? x - y
      : cell(a, sortKey).localeCompare(cell(b, sortKey));
    return sortDesc ? -order : order;
  });
  const keys = [...document.querySelectorAll("#leads th")].map((th) => th.dataset.key);
  document.querySelectorAll("#leads th").forEach((th) => {
    th.classList.toggle("sorted", th.dataset.key === sortKey);
    th.dataset.dir = th.dataset.key === sortKey ? (sortDesc ? "desc" : "asc") : "";
  });
  const body = document.querySelector("#leads tbody");
  body.replaceChildren(...sorted.map((lead) => {
    const row = document.createElement("tr");
    for (const key of keys) {
      const td = document.createElement("td");
      td.textContent = cell(lead, key);
      row.appendChild(td);
    }
    return row;
  }));
}

// A text cell a spreadsheet would run as a formula gets a leading quote (OWASP's CSV
// injection rule); plain numbers and phone numbers stay. The mirror of spreadsheet_safe in
// storage/warehouse/csv_cells.py: tests/api/docs/test_tester_csv.py runs both on the same cells.
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?[0-9][0-9 ().\-]*$/;  // JS `$`: the end of the text only

function spreadsheetSafe(text) {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

function downloadCsv() {
  const columns = ["id", "name", "email", "phone", "company", "position", "industry",
    "company_size", "location", "website", "estimated_revenue", "linkedin", "match_score",
    "verified", "match_reasons", "created_at"];
  const quote = (value) => `"${spreadsheetSafe(String(value)).replace(/"/g, '""')}"`;
  const lines = [columns.join(",")].concat(state.leads.map((lead) =>
    columns.map((key) => quote(cell(lead, key))).join(",")));
  const blob = new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv" });
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = `leads-${$("command-id").textContent}.csv`;
  document.body.appendChild(link);
  link.click();
  link.remove();
}

async function analyzeWebsite() {
  // Read the site and pre-fill what it says about the business; the person edits the rest.
  clearErrors();
  const url = $("websiteUrl").value.trim();
  if (!url) { showError("websiteUrl", "Website URL is required"); return; }
  $("analysis-status").textContent = "reading the site…";
  const { ok, payload } = await api("/api/agents/sales/websiteAnalysis",
    { method: "POST", body: JSON.stringify({ url }) });
  $("analysis-status").textContent = "";
  if (!ok) {
    const error = payload.error || {};
    showError("websiteUrl", [error.message, (error.details || {}).issue].filter(Boolean).join(": "));
    return;
  }
  const data = payload.data;
  const fill = (id, value) => { if (value) $(id).value = value; };
  fill("businessName", data.businessInfo.name);
  fill("businessIndustry", data.businessInfo.industry);
  fill("productName", data.productOffering.name);
  fill("primaryValue", data.productOffering.primaryValue);
  const keywords = new Set([...list("keywords"), ...data.keywords]);
  $("keywords").value = [...keywords].join(", ");
  $("analysis-status").textContent = `read ${data.url}`;
  renderCode();
}

async function loadExample() {
  const response = await fetch("/tester/example.json");
  const example = await response.json();
  const data = example.leadGenData;
  const set = (id, value) => { $(id).value = value === undefined || value === null ? "" : value; };
  set("siteId", example.siteId);
  set("userId", example.userId);
  set("agentId", example.agent_id);
  set("maxLeads", example.maxLeads);
  set("priority", example.priority);
  if (!$("websiteUrl").value) set("websiteUrl", "https://acme-automation.example.com");
  for (const field of LIST_FIELDS) set(field, (data.targetAudience[field] || []).join(", "));
  set("keywords", data.searchCriteria.keywords.join(", "));
  set("excludedTerms", data.searchCriteria.excludedTerms.join(", "));
  set("minRevenueUSD", data.searchCriteria.minRevenueUSD);
  set("maxRevenueUSD", data.searchCriteria.maxRevenueUSD);
  $("hasWebsite").checked = Boolean(data.searchCriteria.hasWebsite);
  set("businessName", data.businessInfo.name);
  set("businessIndustry", data.businessInfo.industry);
  set("uniqueSellingPoints", data.businessInfo.uniqueSellingPoints.join(", "));
  set("productName", data.productOffering.name);
  set("primaryValue", data.productOffering.primaryValue);
  set("idealCustomerProfile", data.productOffering.idealCustomerProfile);
  renderCode();
}

document.addEventListener("DOMContentLoaded", () => {
  $("apiKey").value = sessionStorage.getItem("leadmill.apiKey") || "";
  $("command-form").addEventListener("input", renderCode);
  $("command-form").addEventListener("change", renderCode);
  $("command-form").addEventListener("submit", submit);
  $("load-example").addEventListener("click", loadExample);
  $("analyze-site").addEventListener("click", analyzeWebsite);
  $("download-csv").addEventListener("click", downloadCsv);
  document.querySelectorAll(".tabs button").forEach((button) => button.addEventListener("click", () => {
    document.querySelectorAll(".tabs button").forEach((b) => b.classList.remove("active"));
    button.classList.add("active");
    state.lang = button.dataset.lang;
    renderCode();
  }));
  document.querySelectorAll("#leads th").forEach((th) => th.addEventListener("click", () => {
    state.sortDesc = state.sortKey === th.dataset.key ? !state.sortDesc : th.dataset.key === "match_score";
    state.sortKey = th.dataset.key;
    renderLeads();
  }));
  renderCode();
});
