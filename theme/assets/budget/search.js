// 搜索页：在浏览器里用 Pagefind 检索，只下载与查询词有关的索引块；结果按 Material 的样式列出。
// 网站可以放在任何子路径下：网站根目录由 data-bundle（pagefind/ 文件夹的网址）推算。
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

// 索引分成若干分片（pagefind/<名称>/），清单在 pagefind/shards.json：载入第一个分片的 Pagefind，
// 再把其余分片并入（mergeIndex，共用第一个分片的 WebAssembly），一次查询检索全部分片，结果统一排序。
async function shardUrls(bundle) {
  const response = await fetch(new URL("shards.json", bundle), { cache: "no-cache" });
  if (!response.ok) throw new Error(`shards.json: ${response.status}`);
  const { shards } = await response.json();
  return shards.map((name) => new URL(`${encodeURIComponent(name)}/`, bundle));
}

async function loadEngine() {
  const bundle = new URL(box.dataset.bundle, location.href);
  const options = { excerptLength: 40, baseUrl: new URL("..", bundle).pathname };
  const [primary, ...others] = await shardUrls(bundle);
  const module = await import(new URL("pagefind.js", primary).href);
  try {
    await module.options({ noWorker: true, ...options });
    await Promise.all(others.map((shard) => module.mergeIndex(shard.pathname, { ...options })));
  } catch (error) {
    await module.destroy(); // 下次搜索时从头载入，避免重复并入同一分片
    throw error;
  }
  return module;
}

function pagefind() {
  if (!engine) {
    engine = loadEngine();
    engine.catch(() => {
      engine = null;
    });
  }
  return engine;
}

// 分片与单一索引的差别：查询中的某个词一个分片里没有时，Pagefind 在这个分片里忽略这个词，
// 只按其余的词找（含数字的词如项目编码，还会退而匹配它的片段，如“1”），混进无关页面；
// 单一索引只忽略全站都没有的词。所以查询有几个词（以空格分开）或含数字时，再逐词检索
// （含数字的词按原词精确检索），只留下含有每个“全站有”的词的页面；排序不变。
const CODE_LIKE = /^[0-9A-Za-z-]*[0-9][0-9A-Za-z-]*$/;

async function pagesWith(engine, word) {
  const found = await engine.search(CODE_LIKE.test(word) ? `"${word}"` : word);
  return new Set(found.results.map((result) => result.id));
}

async function find(engine, term) {
  const found = await engine.search(term);
  const words = term.split(/\s+/);
  if (words.length === 1 && !CODE_LIKE.test(term)) return found;
  const sets = (await Promise.all(words.map((word) => pagesWith(engine, word)))).filter((pages) => pages.size);
  const results = found.results.filter((result) => sets.every((pages) => pages.has(result.id)));
  return { ...found, results };
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
  let found;
  try {
    found = await find(await pagefind(), term);
  } catch (error) {
    console.error(error);
    if (query === latest) status.textContent = "搜索索引加载失败，请稍后再试。";
    return;
  }
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
