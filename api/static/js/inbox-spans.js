// Trainer inbox: mark entity spans by selecting text in the message (no library, no inline script).
// Keeps the hidden "entities" field as JSON [{start, end, entity}] in character offsets of the text.

const textEl = document.getElementById("inbox-text");
const field = document.getElementById("entities");
const list = document.getElementById("span-list");
const entityName = document.getElementById("entity-name");
const text = textEl ? textEl.dataset.text : "";

function spans() {
  try {
    return JSON.parse(field.value || "[]");
  } catch {
    return [];
  }
}

function save(all) {
  all.sort((a, b) => a.start - b.start);
  field.value = JSON.stringify(all);
  render(all);
}

function render(all) {
  // the text with each span in a <mark>, and a removable list of the spans
  textEl.replaceChildren();
  let at = 0;
  for (const s of all) {
    textEl.append(document.createTextNode(text.slice(at, s.start)));
    const mark = document.createElement("mark");
    mark.textContent = text.slice(s.start, s.end);
    mark.title = s.entity;
    textEl.append(mark);
    at = s.end;
  }
  textEl.append(document.createTextNode(text.slice(at)));
  list.replaceChildren();
  all.forEach((s, i) => {
    const li = document.createElement("li");
    li.textContent = `${text.slice(s.start, s.end)} → ${s.entity} `;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.textContent = "删除";
    remove.addEventListener("click", () => save(spans().filter((_, j) => j !== i)));
    li.append(remove);
    list.append(li);
  });
}

function offsetIn(container, node, offset) {
  const range = document.createRange();
  range.selectNodeContents(container);
  range.setEnd(node, offset);
  return range.toString().length;
}

function markSelection() {
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
  const range = sel.getRangeAt(0);
  if (!textEl.contains(range.startContainer) || !textEl.contains(range.endContainer)) return;
  let start = offsetIn(textEl, range.startContainer, range.startOffset);
  let end = offsetIn(textEl, range.endContainer, range.endOffset);
  while (start < end && /\s/.test(text[start])) start += 1; // selections often take a space along
  while (end > start && /\s/.test(text[end - 1])) end -= 1;
  if (start >= end) return;
  const others = spans().filter((s) => s.end <= start || s.start >= end); // a new span replaces overlaps
  others.push({ start, end, entity: entityName.value });
  sel.removeAllRanges();
  save(others);
}

if (textEl && field) {
  document.getElementById("mark-span").addEventListener("click", markSelection);
  document.getElementById("clear-spans").addEventListener("click", () => save([]));
  render(spans());
}
