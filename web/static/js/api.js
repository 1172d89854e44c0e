// Calls to /api/v1/ from the pages, with the session cookie and Django's CSRF token.
"use strict";

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

async function preauApi(method, path, body) {
  const options = { method, credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() } };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(`/api/v1${path}`, options);
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error(data?.error?.message || `HTTP ${response.status}`);
    error.code = data?.error?.code;
    error.details = data?.error?.details;
    throw error;
  }
  return data;
}

function showError(error) {
  const box = document.createElement("p");
  box.className = "flash error";
  box.setAttribute("role", "alert");
  box.textContent = error.message;
  document.querySelector("main").prepend(box);
}

window.preauApi = preauApi;
window.showError = showError;
