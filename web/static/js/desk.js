// Administrator's desk: a created account shows the activation link to hand over.
"use strict";

(function () {
  const form = document.getElementById("account-form");
  const done = document.getElementById("account-created");
  form?.addEventListener("api:done", (event) => {
    const account = event.detail;
    const link = document.createElement("a");
    link.href = account.activation_path;
    link.textContent = new URL(account.activation_path, window.location.origin).href;
    done.replaceChildren(
      `Compte « ${account.username} » créé pour ${account.name}. Lien d'activation à lui transmettre : `,
      link,
    );
    done.hidden = false;
    form.reset();
  });
})();
