// 搜索页：在浏览器里用 Pagefind 检索，只下载与查询词有关的索引块；结果按 Material 的样式列出。
// 网站可以放在任何子路径下：Pagefind 从自身的网址推算出网站根目录。
const box = document.querySelector(".bp-search");
const input = box.querySelector(".bp-search__input");
const status = box.querySelector(".bp-search__status");
const list = box.querySelector(".bp-search__results");
const more = box.querySelector(".bp-search__more");
const PAGE_SIZE = 10;
let engine = null;
let results = [];
let shown = 0;
let latest = 0;
let timer = 0;

async function pagefind() {
  if (!engine) {
    const bundle = new URL(box.dataset.bundle, location.href).href;
    engine = await import(`${bundle}pagefind.js`);
    await engine.options({ noWorker: true, excerptLength: 40 });
  }
  return engine;
}

// Pagefind 的摘要是 HTML（含 <mark>）：只保留文字和 <mark>，其余一律当作文字。
function excerpt(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  const paragraph = document.createElement("p");
  paragraph.className = "bp-search__excerpt";
  for (const node of template.content.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      paragraph.append(mark);
    } else {
      paragraph.append(node.textContent);
    }
  }
  return paragraph;
}

function resultItem(data) {
  const item = document.createElement("li");
  item.className = "bp-search__result";
  const link = document.createElement("a");
  link.className = "bp-search__title";
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  item.append(link);
  if (data.meta.department) {
    const where = document.createElement("p");
    where.className = "bp-search__where";
    where.textContent = data.meta.department;
    item.append(where);
  }
  item.append(excerpt(data.excerpt));
  return item;
}

async function showMore(query) {
  const batch = await Promise.all(results.slice(shown, shown + PAGE_SIZE).map((result) => result.data()));
  if (query !== latest) return;
  list.append(...batch.map(resultItem));
  shown += batch.length;
  more.hidden = shown >= results.length;
}

async function search(term) {
  const query = ++latest;
  term = term.trim();
  list.replaceChildren();
  more.hidden = true;
  history.replaceState(null, "", term ? `?q=${encodeURIComponent(term)}` : location.pathname);
  if (!term) {
    status.textContent = "";
    return;
  }
  status.textContent = "正在搜索……";
  const found = await (await pagefind()).search(term);
  if (query !== latest) return;
  results = found.results;
  shown = 0;
  status.textContent = results.length ? `找到 ${results.length} 个页面` : `没有找到与“${term}”有关的页面`;
  await showMore(query);
}

box.querySelector("form").addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(timer);
  search(input.value);
});
input.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(() => search(input.value), 300);
});
more.addEventListener("click", () => showMore(latest));

const initial = new URLSearchParams(location.search).get("q");
if (initial) {
  input.value = initial;
  search(initial);
}
