// CSV enrolment: preview the file line by line, then import it whole (or nothing).
"use strict";

(function () {
  const form = document.getElementById("import-form");
  if (!form) return;
  const commit = document.getElementById("import-commit");
  const summary = document.getElementById("import-summary");
  const table = document.getElementById("import-report");
  const base = `/sessions/${form.dataset.session}/imports`;
  const OUTCOMES = { enrol: "à inscrire", create: "compte à créer", member: "déjà inscrit", error: "erreur" };
  const DONE = { enrol: "inscrit", create: "compte créé et inscrit", member: "déjà inscrit", error: "erreur" };
  const ROLES = { participant: "participant", tutor: "tuteur", trainer: "formateur" };

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text ?? "";
    return td;
  }

  function paint(lines, words) {
    const body = table.querySelector("tbody");
    body.replaceChildren(
      ...lines.map((line) => {
        const row = document.createElement("tr");
        row.dataset.outcome = line.outcome;
        const reason = cell(line.reason);
        if (line.activation_path) {
          const link = document.createElement("a");
          link.href = line.activation_path;
          link.textContent = new URL(line.activation_path, window.location.origin).href;
          reason.replaceChildren("Lien d'activation : ", link);
        }
        row.append(cell(line.line), cell(line.identifier), cell(line.name), cell(ROLES[line.role] || line.role),
          cell(words[line.outcome] || line.outcome), reason);
        if (line.outcome === "error") row.classList.add("error");
        return row;
      }),
    );
    table.hidden = false;
  }

  function say(text) {
    summary.textContent = text;
    summary.hidden = false;
  }

  form.querySelector("input[type=file]").addEventListener("change", () => {
    commit.disabled = true;
    summary.hidden = true;
    table.hidden = true;
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    preauClearFormErrors(form);
    commit.disabled = true;
    try {
      const report = await preauUpload(`${base}/preview`, form);
      paint(report.lines, OUTCOMES);
      if (report.errors) {
        say(`${report.errors} ligne(s) en erreur : corrigez le fichier et prévisualisez-le à nouveau. Rien n'est importé tant qu'il reste une erreur.`);
      } else {
        say(`Prêt : ${report.enrol} inscription(s), ${report.create} compte(s) à créer, ${report.member} déjà inscrit(s).`);
        commit.disabled = report.enrol + report.create === 0;
      }
    } catch (error) {
      table.hidden = true;
      summary.hidden = true;
      preauShowFormError(form, error);
    }
  });

  commit.addEventListener("click", async () => {
    commit.disabled = true;
    preauClearFormErrors(form);
    try {
      const report = await preauUpload(base, form);
      paint(report.lines, DONE);
      say(`Import terminé : ${report.enrol + report.create} personne(s) inscrite(s), dont ${report.create} nouveau(x) compte(s).`);
    } catch (error) {
      if (error.details?.lines) paint(error.details.lines, OUTCOMES);
      preauShowFormError(form, error);
    }
  });
})();
