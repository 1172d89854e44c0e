// The word cloud page: the cloud from the API, then its counts live on wordcloud:<id>.
(function () {
  "use strict";
  const box = document.getElementById("wordcloud");
  if (!box) return;
  const id = box.dataset.cloudId;
  const leads = box.dataset.leads === "1";
  const words = new Map(); // normal -> {word, count, hidden}
  let mine = new Set();

  function draw() {
    const cloud = box.querySelector(".cloud");
    const shown = [...words.entries()].filter(([, w]) => w.count > 0 && (leads || !w.hidden));
    const top = Math.max(1, ...shown.map(([, w]) => w.count));
    cloud.replaceChildren(
      ...shown
        .sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]))
        .map(([normal, w]) => {
          const span = document.createElement("span");
          span.className = "word" + (w.hidden ? " hidden-word" : "") + (mine.has(normal) ? " mine" : "");
          span.dataset.normal = normal;
          span.dataset.count = w.count;
          span.style.fontSize = `${1 + (1.6 * w.count) / top}em`;
          span.textContent = w.word;
          span.title = `${w.count}`;
          if (leads) {
            const toggle = document.createElement("button");
            toggle.type = "button";
            toggle.textContent = w.hidden ? "Montrer" : "Masquer";
            toggle.addEventListener("click", () =>
              preauApi("POST", `/wordclouds/${id}/hide`, { word: normal, hidden: !w.hidden }).catch(showError)
            );
            span.append(" ", toggle);
          }
          return span;
        })
    );
  }

  function load(cloud) {
    words.clear();
    for (const w of cloud.words) words.set(w.normal, w);
    mine = new Set(cloud.mine);
    draw();
  }

  const reload = () => preauApi("GET", `/wordclouds/${id}`).then(load).catch(showError);
  preauRealtime.subscribe(
    `wordcloud:${id}`,
    (frame) => {
      const data = frame.data;
      if (frame.type === "wordcloud.word_counted") {
        const known = words.get(data.normal) || { hidden: false };
        words.set(data.normal, { ...known, word: data.word, count: data.count });
      } else if (frame.type === "wordcloud.word_hidden") {
        const known = words.get(data.normal);
        if (known) known.hidden = data.hidden;
      }
      draw();
    },
    { onResync: reload, onSubscribed: reload }
  );

  const form = document.getElementById("word-form");
  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const input = form.querySelector("input");
      const word = input.value;
      try {
        load(await preauApi("POST", `/wordclouds/${id}/words`, { word }));
        // Cleared only if unchanged: the next word may already be typed meanwhile.
        if (input.value === word) input.value = "";
      } catch (error) {
        showError(error);
      }
    });
  }
})();
