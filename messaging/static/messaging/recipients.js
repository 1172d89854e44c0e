// A searchable picker of recipients: a combobox over a listbox (WAI-ARIA's combobox
// pattern), chosen people as removable chips. Arrow keys move, Enter picks, Escape closes,
// Backspace in an empty field removes the last person chosen.
"use strict";

function folded(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

class RecipientPicker {
  constructor(root) {
    this.input = root.querySelector("[role=combobox]");
    this.list = root.querySelector("[role=listbox]");
    this.chips = root.querySelector(".chosen");
    this.help = root.querySelector("#recipient-help");
    this.people = [];
    this.max = 1;
    this.chosen = [];
    this.shown = [];
    this.active = -1;
    this.input.addEventListener("input", () => this.open());
    this.input.addEventListener("keydown", (event) => this.key(event));
    this.input.addEventListener("blur", () => this.close());
    // Keep the focus in the field while a click picks an option.
    this.list.addEventListener("mousedown", (event) => event.preventDefault());
    this.list.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) this.pick(this.shown[Number(option.dataset.index)]);
    });
  }

  // The people one may write to, and how many at once (1 for a participant).
  reset(people, max) {
    this.people = people;
    this.max = max;
    this.chosen = [];
    this.input.value = "";
    this.close();
    this.renderChips();
  }

  ids() {
    return this.chosen.map((person) => person.id);
  }

  matches() {
    const words = folded(this.input.value).split(/\s+/).filter(Boolean);
    const taken = new Set(this.ids());
    return this.people.filter(
      (person) => !taken.has(person.id) && words.every((w) => folded(person.name).includes(w))
    );
  }

  open() {
    this.shown = this.matches();
    this.active = this.shown.length ? 0 : -1;
    this.render();
  }

  close() {
    this.shown = [];
    this.active = -1;
    this.render();
  }

  render() {
    const expanded = this.shown.length > 0;
    this.list.hidden = !expanded;
    this.input.setAttribute("aria-expanded", String(expanded));
    this.list.replaceChildren(
      ...this.shown.map((person, index) => {
        const option = document.createElement("li");
        option.id = `recipient-option-${person.id}`;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", String(index === this.active));
        option.dataset.index = index;
        option.textContent = person.name;
        return option;
      })
    );
    const active = this.shown[this.active];
    if (active) {
      this.input.setAttribute("aria-activedescendant", `recipient-option-${active.id}`);
      document.getElementById(`recipient-option-${active.id}`).scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
    if (this.input.value && !expanded) this.say("Personne ne correspond à cette recherche.");
  }

  key(event) {
    const moves = { ArrowDown: 1, ArrowUp: -1 };
    if (event.key in moves) {
      event.preventDefault();
      if (!this.shown.length) return this.open();
      const count = this.shown.length;
      this.active = (this.active + moves[event.key] + count) % count;
      this.render();
    } else if (event.key === "Enter" && this.active >= 0) {
      event.preventDefault();
      this.pick(this.shown[this.active]);
    } else if (event.key === "Escape" && this.shown.length) {
      event.preventDefault();
      this.close();
    } else if (event.key === "Backspace" && !this.input.value && this.chosen.length) {
      this.remove(this.chosen[this.chosen.length - 1]);
    }
  }

  pick(person) {
    this.chosen = this.max === 1 ? [person] : [...this.chosen, person];
    this.input.value = "";
    this.close();
    this.renderChips();
    this.say(`${person.name} ajouté·e aux destinataires.`);
  }

  pickAll() {
    this.chosen = this.people.slice(0, this.max);
    this.renderChips();
    this.say(`${this.chosen.length} destinataires choisis.`);
  }

  remove(person) {
    this.chosen = this.chosen.filter((p) => p.id !== person.id);
    this.renderChips();
    this.say(`${person.name} retiré·e des destinataires.`);
    this.input.focus();
  }

  renderChips() {
    this.chips.replaceChildren(
      ...this.chosen.map((person) => {
        const chip = document.createElement("li");
        chip.className = "chip";
        const name = document.createElement("span");
        name.textContent = person.name;
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "secondary";
        remove.textContent = "×";
        remove.setAttribute("aria-label", `Retirer ${person.name}`);
        remove.addEventListener("click", () => this.remove(person));
        chip.append(name, remove);
        return chip;
      })
    );
    this.input.setCustomValidity(this.chosen.length ? "" : "Choisissez au moins une personne.");
  }

  say(text) {
    this.help.textContent = text;
  }
}

window.RecipientPicker = RecipientPicker;
