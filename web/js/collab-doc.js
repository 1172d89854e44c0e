// Co-edited documents in the browser: a ProseMirror editor bound to a Yjs document, synced
// with the server over the y-websocket protocol on /ws/docs/<doc_id>/ (docs/realtime.md).
// Bundled by esbuild (`npm run build`, run by `make run` / `make test`) into
// web/static/build/collab-doc.js, which exposes `window.preauDoc`.
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import { ySyncPlugin, yCursorPlugin, yUndoPlugin, undo, redo } from "y-prosemirror";
import { EditorState } from "prosemirror-state";
import { EditorView } from "prosemirror-view";
import { schema } from "prosemirror-schema-basic";
import { keymap } from "prosemirror-keymap";
import { baseKeymap, toggleMark } from "prosemirror-commands";
import * as mindmap from "./mindmap.js";

// The shared type holding the rich text; the server reads the same name (collab/documents.py).
const FRAGMENT = "prosemirror";
const COLOURS = ["#b03a2e", "#1f618d", "#117a65", "#9a7d0a", "#6c3483", "#a04000"];

// A Yjs document synced with the server, the person's name and colour in its awareness.
function connect(docId, user, onStatus) {
  const ydoc = new Y.Doc();
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const provider = new WebsocketProvider(`${scheme}//${location.host}/ws/docs`, `${docId}/`, ydoc);
  provider.awareness.setLocalStateField("user", {
    name: user.name,
    color: COLOURS[user.id % COLOURS.length],
  });
  provider.on("status", ({ status }) => onStatus && onStatus(status));
  provider.on("sync", (synced) => synced && onStatus && onStatus("synced"));
  const people = () =>
    [...provider.awareness.getStates().values()].map((s) => s.user).filter(Boolean);
  return { ydoc, provider, people };
}

function mount(element, { docId, readOnly = false, user = { name: "?", id: 0 }, onStatus }) {
  const { ydoc, provider, people } = connect(docId, user, onStatus);
  const fragment = ydoc.getXmlFragment(FRAGMENT);
  const state = EditorState.create({
    schema,
    plugins: [
      ySyncPlugin(fragment),
      yCursorPlugin(provider.awareness),
      yUndoPlugin(),
      keymap({
        "Mod-z": undo,
        "Mod-y": redo,
        "Mod-Shift-z": redo,
        "Mod-b": toggleMark(schema.marks.strong),
        "Mod-i": toggleMark(schema.marks.em),
      }),
      keymap(baseKeymap),
    ],
  });
  const view = new EditorView(element, { state, editable: () => !readOnly });
  return { ydoc, provider, view, people, destroy: () => (view.destroy(), provider.destroy()) };
}

window.preauDoc = { mount, connect, mindmap, Y };
