// The top bar's menu on small screens: one button folds and unfolds the navigation.
// On wide screens the button is not displayed and the menu is always shown (CSS).
"use strict";

(function () {
  const toggle = document.querySelector(".menu-toggle");
  const menu = document.getElementById("site-menu");
  if (!toggle || !menu) return;

  function setOpen(open) {
    toggle.setAttribute("aria-expanded", String(open));
    menu.classList.toggle("open", open);
  }

  toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && menu.classList.contains("open")) {
      setOpen(false);
      toggle.focus();
    }
  });
})();

// A wide table scrolls inside its card on small screens: the keyboard must reach it too.
(function () {
  function focusableScrollers() {
    for (const box of document.querySelectorAll(".card, .table-scroll")) {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) box.setAttribute("tabindex", "0");
      else if (!scrolls && box.getAttribute("tabindex") === "0") box.removeAttribute("tabindex");
    }
  }
  window.addEventListener("load", focusableScrollers);
  window.addEventListener("resize", focusableScrollers);
})();
