// Questionnaires: a trainer composes one (questions added as needed); a participant answers.
"use strict";

(function () {
  const compose = document.getElementById("questionnaire-form");
  if (compose) {
    const list = document.getElementById("question-list");
    const template = document.getElementById("question-template");
    const addQuestion = () => {
      const item = template.content.firstElementChild.cloneNode(true);
      const kind = item.querySelector("select[name=kind]");
      const choices = item.querySelector(".choices");
      kind.addEventListener("change", () => { choices.hidden = kind.value === "text"; });
      item.querySelector(".remove-question").addEventListener("click", () => item.remove());
      list.append(item);
      item.querySelector("textarea[name=text]").focus();
    };
    document.getElementById("add-question").addEventListener("click", addQuestion);
    addQuestion();
    compose.addEventListener("submit", async (event) => {
      event.preventDefault();
      preauClearFormErrors(compose);
      const questions = [...list.querySelectorAll(".question")].map((item) => {
        const kind = item.querySelector("select[name=kind]").value;
        const raw = item.querySelector("textarea[name=choices]").value;
        return {
          text: item.querySelector("textarea[name=text]").value,
          kind,
          choices: kind === "text" ? [] : raw.split("\n").map((s) => s.trim()).filter(Boolean),
        };
      });
      const body = {
        title: compose.querySelector("input[name=title]").value,
        nominative: compose.querySelector("input[name=nominative]").checked,
        questions,
      };
      const activity = compose.querySelector("select[name=activity_id]")?.value;
      if (activity) body.activity_id = Number.parseInt(activity, 10);
      try {
        const created = await preauApi("POST", `/sessions/${compose.dataset.session}/questionnaires`, body);
        window.location.assign(`/questionnaires/${created.id}/`);
      } catch (error) {
        preauShowFormError(compose, error);
      }
    });
  }

  const answerForm = document.getElementById("answer-form");
  answerForm?.addEventListener("submit", async (event) => {
    event.preventDefault();
    preauClearFormErrors(answerForm);
    const answers = {};
    for (const block of answerForm.querySelectorAll("fieldset.question")) {
      const id = block.dataset.question;
      if (block.dataset.kind === "text") {
        answers[id] = block.querySelector("textarea").value;
      } else {
        answers[id] = [...block.querySelectorAll("input:checked")].map((box) => Number.parseInt(box.value, 10));
      }
    }
    try {
      await preauApi("POST", `/questionnaires/${answerForm.dataset.questionnaire}/responses`, { answers });
      window.location.reload();
    } catch (error) {
      preauShowFormError(answerForm, error);
      const id = (error.details?.field || "").split(".")[1];
      answerForm.querySelector(`fieldset[data-question="${id}"]`)?.setAttribute("aria-invalid", "true");
    }
  });
})();
