// Forms and buttons of the management pages, sent to /api/v1/ (see api.js).
//
// <form data-api-method="POST" data-api-path="/sessions" data-then="/sessions/{id}/gestion/">
//   fields become JSON: number inputs integers, checkboxes booleans, data-list fields arrays
//   (one item per line or comma), data-hours-from-now fields a date that many hours ahead,
//   empty optional fields are left out; a refusal is written
//   in the form's [role=alert] and the field it names is marked invalid.
// <button data-api-method="POST" data-api-path="/sessions/3/close" data-confirm="...">
//   asks for confirmation when data-confirm is set, sends data-api-body (JSON) if any, then
//   reloads the page (or goes to data-then).
// <form data-upload-path="/sessions/3/imports"> sends its file input as multipart.
"use strict";

(function () {
  function fieldValue(field) {
    if (field.type === "checkbox") return field.checked;
    const raw = field.value.trim();
    if (field.dataset.list !== undefined) return raw.split(/[\n,;]+/).map((s) => s.trim()).filter(Boolean);
    if (raw === "") return undefined;
    if (field.dataset.hoursFromNow !== undefined) return new Date(Date.now() + Number(raw) * 3600e3).toISOString();
    if (field.type === "number" || field.dataset.int !== undefined) return Number.parseInt(raw, 10);
    return raw;
  }

  function formBody(form) {
    const body = {};
    for (const field of form.querySelectorAll("input[name], select[name], textarea[name]")) {
      if (field.type === "file" || field.disabled) continue;
      const value = fieldValue(field);
      if (value !== undefined) body[field.name] = value;
    }
    return body;
  }

  function alertBox(form) {
    let box = form.querySelector("[role=alert]");
    if (!box) {
      box = document.createElement("p");
      box.className = "error";
      box.setAttribute("role", "alert");
      form.append(box);
    }
    return box;
  }

  function clearErrors(form) {
    form.querySelectorAll("[aria-invalid]").forEach((f) => f.removeAttribute("aria-invalid"));
    const box = form.querySelector("[role=alert]");
    if (box) box.hidden = true;
  }

  function showFormError(form, error) {
    const box = alertBox(form);
    box.hidden = false;
    box.textContent = error.message;
    const name = (error.details?.field || "").split(".")[0];
    const field = name && form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (field) {
      field.setAttribute("aria-invalid", "true");
      field.focus();
    }
  }

  function thenGo(element, data) {
    const target = element.dataset.then;
    if (target === undefined) {
      window.location.reload();
      return;
    }
    window.location.assign(target.replace(/\{(\w+)\}/g, (_, key) => encodeURIComponent(data?.[key] ?? "")));
  }

  async function upload(path, form) {
    const response = await fetch(`/api/v1${path}`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
      body: new FormData(form),
    });
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      const error = new Error(data?.error?.message || `HTTP ${response.status}`);
      error.code = data?.error?.code;
      error.details = data?.error?.details;
      throw error;
    }
    return data;
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form[data-api-path]");
    if (!form) return;
    event.preventDefault();
    clearErrors(form);
    const submit = form.querySelector("[type=submit]");
    if (submit) submit.disabled = true;
    try {
      const data = await preauApi(form.dataset.apiMethod || "POST", form.dataset.apiPath, formBody(form));
      form.dispatchEvent(new CustomEvent("api:done", { detail: data, bubbles: true }));
      if (form.dataset.stay === undefined) thenGo(form, data);
    } catch (error) {
      showFormError(form, error);
    } finally {
      if (submit) submit.disabled = false;
    }
  });

  document.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-api-path]");
    if (!button) return;
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
    button.disabled = true;
    try {
      const body = button.dataset.apiBody ? JSON.parse(button.dataset.apiBody) : undefined;
      const data = await preauApi(button.dataset.apiMethod || "POST", button.dataset.apiPath, body);
      button.dispatchEvent(new CustomEvent("api:done", { detail: data, bubbles: true }));
      if (button.dataset.stay === undefined) thenGo(button, data);
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
    }
  });

  window.preauUpload = upload;
  window.preauShowFormError = showFormError;
  window.preauClearFormErrors = clearErrors;
})();
