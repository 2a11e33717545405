// 搜索页：在浏览器里用 Pagefind 检索，只下载与查询词有关的索引块；结果按 Material 的样式列出。
// 网站可以放在任何子路径下：网站根目录由 data-bundle（pagefind/ 文件夹的网址）推算。
const box = document.querySelector(".bp-search");
const input = box.querySelector(".bp-search__input");
const status = box.querySelector(".bp-search__status");
const list = box.querySelector(".bp-search__results");
const more = box.querySelector(".bp-search__more");
const tips = box.querySelector(".bp-search__tips-box");
const PAGE_SIZE = 10;
let engine = null;
let results = [];
let shown = 0;
let latest = 0;
let timer = 0;
let shownTerm = "";
let asked = null; // 最近一次搜索的查询（网址中 ?q= 的值）

// ---- 查询进入时整理一次（输入框、网址中的 ?q=、浏览器的后退都经过 search）----
// 全角字母、数字和标点变成半角（NFKC：“１２８０”“ＡＢＣ”“，”）；金额去掉千位分隔符和末尾的“.00”（“1,280.00”→“1280”，
// 原表写作“1280万元”）；引号和其他标点换成空格（“"满意度"”“企业上市，奖励！”）。≥、≤、=、% 等符号、数字中的
// 小数点和编码中的“-”照原样保留：重排时按原文比较（“≥95%”“=188.51万元”）。
function amounts(text) {
  return text.replace(/(\d),(?=\d{3}(?!\d))/g, "$1").replace(/(\d)\.0+(?!\d)/g, "$1");
}

function normalized(text) {
  const plain = amounts((text || "").normalize("NFKC"));
  const between = (at, pattern) => pattern.test(plain[at - 1] || "") && pattern.test(plain[at + 1] || "");
  return plain
    .replace(/\p{P}/gu, (mark, at) => {
      if (mark === "%") return mark;
      if (mark === "." && between(at, /\d/)) return mark;
      if (mark === "-" && between(at, /[\p{L}\p{N}]/u)) return mark;
      return " ";
    })
    .replace(/\s+/g, " ")
    .trim();
}

// 繁体字：网站是简体，含繁体字的查询找不到时，按 OpenCC 的繁简字表（TSCharacters，Apache-2.0，opencc/ 中）逐字换成简体再找。
// 字表约 29 KB（gzip 后 17 KB），只在这时下载一次。
let characters = null;

async function simplified(term) {
  characters ??= import(new URL("opencc/TSCharacters.js", import.meta.url).href).then(
    ({ default: table }) => new Map(table.split("|").map((pair) => pair.split(" ").slice(0, 2))),
  );
  try {
    const table = await characters;
    return [...term].map((character) => table.get(character) ?? character).join("");
  } catch (error) {
    characters = null;
    console.error(error);
    return term;
  }
}

// 索引分成若干分片（pagefind/<名称>/），清单在 pagefind/shards.json：载入一个分片的 Pagefind，再把其余分片并入
// （mergeIndex，共用同一个 WebAssembly），一次查询检索所有并入的分片，结果统一排序。分片按需并入：
// 查询只有一个编码类的词（项目编码、数字）时，先查路由文件（pagefind/<routes>/<桶>.json，见
// builder/site/search_routes.py），只并入含有这个词的分片；其余查询并入全部分片。结果与检索全部分片时相同：
// ① 编码类的词只留下原样含有它的页面（find），这些页面只在含有它的分片里；② 后并入的分片先把此前查询要的
// 索引块载入（preload），与一开始就并入时一样；③ 结果按得分、同分按分片在 shards.json 中的次序排列，
// 与 Pagefind 合并全部分片时的次序相同（页面名称 <分片>.<版本>.<序号> 标明分片，见 builder/site/search_ids.py）。
const CODE_WORD = /^[0-9A-Za-z]*[0-9][0-9A-Za-z]*$/;

// FNV-1a（32 位）：路由文件和精确索引的桶都按它分（与 builder/site/search_routes.py、search_exact.py 相同）
function fnv(text) {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

// 几百个分片的全文检索一次要发出两千多个请求，浏览器会拒绝其中几百个（ERR_INSUFFICIENT_RESOURCES），Pagefind 只在
// 控制台记一笔，那些分片的结果就悄悄缺了（3 000 个部门时少了约三成）。所以同时至多 MAX_FETCHES 个请求，其余排队；
// 没有回应的（网络错误）稍等再试两次；仍然失败的计入 lost，结果的状态写明可能不全。
const MAX_FETCHES = 16;
const plainFetch = window.fetch.bind(window);
let fetching = 0;
let lost = 0; // 本次搜索中没能下载的文件
const waiting = [];

window.fetch = async (...request) => {
  if (fetching >= MAX_FETCHES) await new Promise((resolve) => waiting.push(resolve));
  fetching += 1;
  try {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await plainFetch(...request);
      } catch (error) {
        if (attempt === 3) {
          lost += 1;
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
      }
    }
  } finally {
    fetching -= 1;
    waiting.shift()?.();
  }
};

function incomplete() {
  return lost ? `（有 ${lost} 个索引文件没能下载，结果可能不全，请稍后再试）` : "";
}

// gzip 压缩的文件（精确索引的桶、Pagefind 的页面片段）解压成文字
async function unpacked(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return new Response(response.body.pipeThrough(new DecompressionStream("gzip"))).text();
}

class Engine {
  constructor(bundle, listing, options) {
    this.bundle = bundle;
    this.names = listing.shards;
    this.routes = listing.routes ? new URL(`${listing.routes}/`, bundle) : null;
    this.order = new Map(this.names.map((name, index) => [name, index]));
    this.options = options;
    this.module = null;
    this.merged = new Set();
    this.terms = new Set(); // 已检索过的词（各一次）：后并入的分片要先载入它们的索引块
    this.buckets = new Map();
    this.queue = Promise.resolve();
    // 精确索引（见下文 exactFind）：每个桶文件的哈希，8 位一个
    const exact = listing.exact || {};
    const usable = /^([0-9a-f]{8})+$/.test(exact.buckets) && Array.isArray(exact.versions);
    this.exact = usable && typeof DecompressionStream === "function" ? exact.buckets : null;
    this.versions = usable ? exact.versions : [];
    this.exactBuckets = new Map();
    // 字对索引（见 shardsHolding）：每个桶文件的哈希；全文检索一批检索几个分片
    const text = listing.text || {};
    this.text = /^([0-9a-f]{8})+$/.test(text.buckets) && typeof DecompressionStream === "function" ? text.buckets : null;
    this.batch = Number.isInteger(text.batch) && text.batch > 0 ? text.batch : this.names.length;
    this.textBuckets = new Map();
  }

  // 桶文件（gzip 压缩的 JSON）：key 的桶由它的 FNV-1a 定，hashes 是各桶文件的哈希（8 位一个），下载一次
  bucket(cache, folder, hashes, key) {
    const number = fnv(key) % (hashes.length / 8);
    const name = `${number.toString(16).padStart(3, "0")}.${hashes.slice(number * 8, number * 8 + 8)}.pf_${folder}`;
    if (!cache.has(name)) {
      const loading = unpacked(new URL(`${folder}/${name}`, this.bundle)).then(JSON.parse);
      loading.catch(() => cache.delete(name));
      cache.set(name, loading);
    }
    return cache.get(name);
  }

  // 可能含有查询的分片（按 shards.json 的次序）：分片的文字（标题、检索键、正文）含有查询中每个词的每对相邻的字
  // （TEXT_PAIR 中的字，见 builder/site/search_text.py）。没有字对索引、或查询没有这样的字对时，是全部分片
  async shardsHolding(term) {
    const words = term.split(/\s+/).map(fold);
    const pairs = [...new Set(words.flatMap((word) => pairsOf(word, (pair) => TEXT_PAIR.test(pair), MOST_TEXT_PAIRS)))];
    if (!this.text || !pairs.length) return this.names;
    const holding = await Promise.all(
      pairs.map(async (pair) => {
        const places = new Set();
        for (const [place, text] of (await this.bucket(this.textBuckets, "text", this.text, pair)).entries()) {
          const characters = [...text]; // 第 place 个分片在这个桶里的字对，一对接一对
          for (let at = 0; at + 1 < characters.length; at += 2) {
            if (characters[at] + characters[at + 1] === pair) {
              places.add(place);
              break;
            }
          }
        }
        return places;
      }),
    );
    return this.names.filter((_, place) => holding.every((places) => places.has(place)));
  }

  // 精确索引中的一个键（前缀字母 + 文字）：页面 → 页面种类。页面以“分片序号 × 2^20 + 页面序号”表示；
  // 检索键的字对（k）按键列出：“分片序号 × 2^26 + 页面序号 × 64 + 键的序号”（见 pageOf）
  async postings(key) {
    const found = new Map();
    for (const [place, keys] of (await this.bucket(this.exactBuckets, "exact", this.exact, key.slice(1))).entries()) {
      const codes = keys[key];
      if (!codes || !this.names[place] || !/^[0-9a-f]{8}$/.test(this.versions[place])) continue;
      const scale = key.startsWith("k") ? 2 ** 26 : 2 ** 20;
      let code = 0; // 按次序排列，第一个之后的每个记的是与前一个的差
      for (const step of codes) {
        code += step;
        found.set(place * scale + Math.floor(code / 8), code % 8);
      }
    }
    return found;
  }

  // 精确索引找到的页面：与 Pagefind 的结果一样有 id 和 data()（页面片段直接从它的分片下载）
  exactResult(page) {
    const place = Math.floor(page / 2 ** 20);
    const name = this.names[place];
    const id = `${name}.${this.versions[place]}.${(page % 2 ** 20).toString(36)}`;
    const url = new URL(`${encodeURIComponent(name)}/fragment/${id}.pf_fragment`, this.bundle);
    const load = async () => {
      const text = await unpacked(url);
      if (!text.startsWith("pagefind_dcd")) throw new Error(`${url}: 不是 Pagefind 的页面片段`);
      const fragment = JSON.parse(text.slice("pagefind_dcd".length));
      const content = (fragment.content || "").replace(/\u200B/g, "");
      const href = `${this.options.baseUrl}/${fragment.url}`.replace(/\/+/g, "/");
      return { ...fragment, content, url: href, excerpt: content.slice(0, 40).replace(/&/g, "&amp;").replace(/</g, "&lt;") };
    };
    return { id, data: () => (loadedData.has(id) ? loadedData.get(id) : loadedData.set(id, load()).get(id)) };
  }

  url(name) {
    return new URL(`${encodeURIComponent(name)}/`, this.bundle);
  }

  // 并入 names 中尚未并入的分片（依次进行，同时发起的检索不会重复并入）
  merge(names) {
    const work = this.queue.then(async () => {
      const missing = names.filter((name) => !this.merged.has(name));
      if (!missing.length) return;
      if (!this.module) {
        const first = missing.shift();
        const module = await import(new URL("pagefind.js", this.url(first)).href);
        await module.options({ noWorker: true, ...this.options });
        this.module = module;
        this.merged.add(first);
      }
      try {
        await Promise.all(missing.map((name) => this.module.mergeIndex(this.url(name).pathname, { ...this.options })));
        missing.forEach((name) => this.merged.add(name));
        for (const term of this.terms) await this.module.preload(term);
      } catch (error) {
        await this.module.destroy(); // 下次搜索时从头载入，避免重复并入同一分片
        this.module = null;
        this.merged.clear();
        throw error;
      }
    });
    this.queue = work.catch(() => {});
    return work;
  }

  // 含有编码类的词 word 的分片（按 shards.json 的次序）；null：要检索全部分片
  async shardsWith(word) {
    if (!this.routes || !CODE_WORD.test(word)) return null;
    const key = word.toLowerCase();
    const bucket = (fnv(key) % 256).toString(16).padStart(2, "0");
    if (!this.buckets.has(bucket)) {
      this.buckets.set(
        bucket,
        fetch(new URL(`${bucket}.json`, this.routes)).then((response) => {
          if (!response.ok) throw new Error(`${bucket}.json: ${response.status}`);
          return response.json();
        }),
      );
    }
    const found = (await this.buckets.get(bucket))[key]; // 分片在 shards.json 中的序号，或 "*"（全部）
    return Array.isArray(found) && found.length ? found.map((place) => this.names[place]) : null;
  }

  // 在 only 列出的分片（null：全部）中检索；已并入的其他分片也一并检索
  async search(term, only = null) {
    await this.merge(only || this.names);
    this.terms.add(term);
    const found = await this.module.search(term);
    const place = (result) => this.order.get(result.id.slice(0, result.id.indexOf("."))) ?? -1;
    const results = [...found.results].sort((a, b) => b.score - a.score || place(a) - place(b));
    return { ...found, results };
  }
}

async function loadEngine() {
  const bundle = new URL(box.dataset.bundle, location.href);
  const options = { excerptLength: 40, baseUrl: new URL("..", bundle).pathname };
  const response = await fetch(new URL("shards.json", bundle), { cache: "no-cache" });
  if (!response.ok) throw new Error(`shards.json: ${response.status}`);
  return new Engine(bundle, await response.json(), options);
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

// 数字在索引中有两种样子：单独成格的是一个词（部门页的“1280”），与单位、汉字相连的被 jieba 拆成一位一位
// （项目页的“1280万元”是“1 2 8 0 万元”）。所以一个两位以上的数字也按逐位的短语检索（"1 2 8 0"，位置相连）。
// 短语也会落在更长的数字里（“2 0”在“2 0 2 3 年”里）：只由短语找到的页面，前 CHECKED 个下载内容核对，
// 数字不是整个出现的去掉（within）；其余的不再下载，核对过的至少一半相符时留下，否则去掉。
const CHECKED = 24;

function spelled(word) {
  return /^\d{2,}$/.test(word) ? `"${[...word].join(" ")}"` : null;
}

async function pagesWith(engine, word, only) {
  if (!CODE_LIKE.test(word)) return (await engine.search(word, only)).results;
  const whole = (await engine.search(`"${word}"`, only)).results;
  if (!spelled(word)) return whole;
  const known = new Set(whole.map((result) => result.id));
  const more = (await engine.search(spelled(word), only)).results.filter((result) => !known.has(result.id)).map(cached);
  const checked = await Promise.all(more.slice(0, CHECKED).map((result) => result.data()));
  const passed = more.slice(0, CHECKED).filter((result, index) => complete(checked[index], word));
  return [...whole, ...passed, ...(passed.length * 2 >= checked.length ? more.slice(CHECKED) : [])];
}

// shards：只在这些分片中检索（大网站的全文检索分批进行，见 startFullText）
async function find(engine, term, route = true, shards = null) {
  const words = term.split(/\s+/);
  // 纯数字不走路由：路由文件只列整词，逐位的数字可能在任何分片（见 spelled）
  const only = shards ?? (route && words.length === 1 && !spelled(term) ? await engine.shardsWith(term) : null);
  const found = await engine.search(term, only);
  if (words.length === 1 && !CODE_LIKE.test(term)) return found;
  const each = await Promise.all(words.map((word) => pagesWith(engine, word, only)));
  const sets = each.map((pages) => new Set(pages.map((result) => result.id))).filter((pages) => pages.size);
  if (only && !shards && !sets.length) return find(engine, term, false); // 路由文件与索引不符：检索全部分片
  const numbers = each.filter((_, index) => spelled(words[index]));
  const results = merged(found.results, ...numbers).filter((result) => sets.every((pages) => pages.has(result.id)));
  return { ...found, results };
}

// ---- 排序：把读者要找的页面放在最前 ----
// Pagefind 按词频打分，不看整句是否原样出现（Pagefind issue #437）；中文查询在浏览器里也不分词。
// 所以：① 用浏览器的分词（Intl.Segmenter）把查询拆成词再检索（每个词都要有），并与原样查询的结果合并；
// ② 取前 CANDIDATES 个结果的内容（反正要显示前 10 个的摘要），按“原样出现在哪里”重排：
// 标题与查询相同 > 标题以它开头 > 标题包含 > 项目编码、原文表题、三级指标（页面的 keys）> 正文；
// 同分时项目页在前，再按 Pagefind 的顺序。符号（≥、≤、%）不进索引，检索时去掉，重排时照原样比较。
const CANDIDATES = 16;
const KIND_BONUS = { project: 40, department: 30, year: 20, quality: 10 };
const segmenter = "Segmenter" in Intl ? new Intl.Segmenter("zh", { granularity: "word" }) : null;

function fold(text) {
  return amounts((text || "").normalize("NFKC")) // 原文的“1,280.00”与查询的“1280”相同
    .toLowerCase()
    .replace(/\s+/g, "")
    .replace(/>=|≧/g, "≥")
    .replace(/<=|≦/g, "≤");
}

function wordsOf(text) {
  if (!segmenter) return text.split(/\s+/).filter(Boolean);
  return [...segmenter.segment(text)].filter((part) => part.isWordLike).map((part) => part.segment);
}

const loadedData = new Map(); // 同一页面的内容只下载一次

function cached(result) {
  return { id: result.id, data: () => (loadedData.has(result.id) ? loadedData.get(result.id) : loadedData.set(result.id, result.data()).get(result.id)) };
}

// 候选结果：先照原样检索（去掉符号）；前 16 个结果里既没有标题、编码、三级指标与查询相符的页面，
// 也没有三个以上原样含有查询的页面时，再用浏览器分出的一个词检索，结果排在前面，一共最多看 32 个。
// 这个词要下载索引块，所以只在需要时做；只取两个字以上的词（“数”“年”这样的单字几乎每页都有）；
// 数字与汉字相连时（如“867平方米”“2023年”）Pagefind 的分词不可靠，纯数字的词也不取。
function queryWords(term) {
  const plain = term.replace(/[^\p{L}\p{N}\s-]+/gu, " ").trim();
  const words = plain ? wordsOf(plain) : [];
  const textual = words.filter((word) => !/^\d+$/.test(word));
  const longer = textual.filter((word) => word.length >= 2);
  const chosen = longer.length ? longer : textual.length ? textual : words;
  // 每个词在每个索引分片都要下载一块（50 个部门一片，一块约 20–40 KB），所以一次只取一个词。原样检索已经下载了
  // 第一个词所在的那块（索引按词排序，“项目开工数”和“项目”在同一块），所以先取后面的词中最长的一个。
  // 浏览器的分词与建索引时的分词（jieba）不总一致（“新能源”被分成“新”“能源”）：单字与相邻的词合起来
  // 也作为备选，前一个词找不到时再试（最多再试两个）。
  const rest = chosen.length > 1 ? chosen.slice(1) : chosen;
  const first = [...rest].sort((a, b) => b.length - a.length)[0];
  const joined = [];
  textual.forEach((word, index) => {
    const next = textual[index + 1];
    if (next && (word.length === 1 || next.length === 1)) joined.push(word + next);
  });
  const others = [...joined.sort((a, b) => b.length - a.length), ...[...chosen].sort((a, b) => b.length - a.length)];
  return { plain, words: [...new Set([first, ...others].filter((word) => word && word !== plain))].slice(0, 3) };
}

function merged(...lists) {
  const seen = new Map();
  for (const list of lists) for (const result of list) if (!seen.has(result.id)) seen.set(result.id, result);
  return [...seen.values()];
}

// 查询中的每个词（以空格分开；符号照原样）都原样出现在页面中的，排在只含部分的前面；前几个结果中一个都没有，就算没找到。
// 以数字开头或结尾的词要整个出现：“10”不算出现在“100万元”“2010年”里，“95”不算出现在“0.95”里
// （逐位的短语检索会找到这样的页面）。先在保留空格的文字里找，空格把表格中相邻的数字隔开。
function within(text, word) {
  if (!/^\d|\d$/.test(word)) return text.includes(word);
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    const before = /^\d/.test(word) ? text.slice(Math.max(0, at - 2), at) : "";
    const after = /\d$/.test(word) ? text.slice(at + word.length, at + word.length + 2) : "";
    if (!/\d\.?$/.test(before) && !/^\.?\d/.test(after)) return true;
  }
  return false;
}

function complete(data, term) {
  const fields = [data.meta.title, data.meta.keys, data.content];
  const text = fields.map(fold).join("");
  const spaced = fields.map((field) => fold((field || "").replace(/\s+/g, "\u0001"))).join("\u0001");
  return term.split(/\s+/).map(fold).filter(Boolean).every((word) => within(spaced, word) || within(text, word));
}

function score(data, term) {
  const title = fold(data.meta.title);
  const keys = (data.meta.keys || "").split("｜").map(fold);
  const content = fold(data.content);
  const whole = fold(term);
  const parts = term.split(/\s+/).map(fold).filter(Boolean);
  let total = (KIND_BONUS[data.meta.kind] || 0) + (complete(data, term) ? 5000 : 0);
  for (const word of parts.length > 1 ? [whole, ...parts] : [whole]) {
    if (title === word) total += 1000;
    else if (title.startsWith(word)) total += 600;
    else if (title.includes(word)) total += 500;
    else if (keys.includes(word)) total += 400;
    else if (keys.some((key) => key.includes(word))) total += 300;
    else if (content.includes(word)) total += 100;
  }
  return total;
}

const STRONG = 400;

// 数字与汉字相连的查询（“973万元”）：把数字单独作为一个词（“973 万元”），页面要含有这个数字和其余的词。
// 索引中“973万元”可能是“973”“万元”两个词，也可能被拆成“9 7 3 万元”（见 spelled），原样检索会漏掉它。
function numbersApart(text) {
  return text.replace(/(\d+(?:\.\d+)?)/g, " $1 ").trim().replace(/\s+/g, " ");
}

// 浏览器分出的几个词（“新 能源 汽车 补贴”）逐词检索，合起来：含有的词多的页面在前。不能一次检索全部：
// Pagefind 要求页面有以每个词开头的索引词，而建索引时的分词（jieba）把“新能源汽车”作为一个词，没有以“能源”开头的；
// 页面是否含有每个词，由 complete 核对。
async function pagesWithMost(engine, words) {
  const lists = await Promise.all(words.map((word) => engine.search(word)));
  const hits = new Map();
  const first = new Map();
  for (const list of lists) {
    for (const result of list.results) {
      hits.set(result.id, (hits.get(result.id) || 0) + 1);
      if (!first.has(result.id)) first.set(result.id, result);
    }
  }
  return [...first.values()].sort((a, b) => hits.get(b.id) - hits.get(a.id));
}

// loose：term 是浏览器分出的几个词（见 search），逐词检索取候选（pagesWithMost）。
async function rank(engine, term, loose = false) {
  const { plain, words } = queryWords(term);
  if (!plain) return [];
  const mixed = /\d/.test(plain) && /\p{Script=Han}/u.test(plain); // “2023年…”：原样检索靠不住
  const first = loose ? await pagesWithMost(engine, plain.split(/\s+/)) : (await find(engine, plain)).results;
  let results = first.map((result) => cached(result));
  if (mixed && !/\s/.test(plain)) {
    const apart = (await find(engine, numbersApart(plain))).results.map((result) => cached(result));
    results = merged(apart.slice(0, CANDIDATES), results, apart);
  }
  let size = Math.min(results.length, CANDIDATES);
  let loaded = await Promise.all(results.slice(0, size).map((result) => result.data()));
  const strong = (data) => score(data, term) - (KIND_BONUS[data.meta.kind] || 0) - 5000 >= STRONG;
  const enough = !mixed && (loaded.some(strong) || loaded.filter((data) => complete(data, term)).length >= 3);
  for (const [index, word] of (enough ? [] : words).entries()) {
    if (index > 0 && loaded.some((data) => complete(data, term))) break;
    const better = (await find(engine, word)).results.map((result) => cached(result));
    const head = index === 0 ? CANDIDATES : CANDIDATES / 2;
    results = merged(better.slice(0, head), results.slice(0, size), better, results);
    size = Math.min(results.length, size + head);
    loaded = await Promise.all(results.slice(0, size).map((result) => result.data()));
  }
  if (!loaded.some((data) => complete(data, term))) return [];
  const ranked = results
    .slice(0, size)
    .map((result, order) => ({ result, order, score: score(loaded[order], term) }))
    .filter((entry) => !loose || complete(loaded[entry.order], term)) // 逐词取来的候选：只留含有每个词的页面
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map((entry) => entry.result);
  return loose ? ranked : [...ranked, ...results.slice(size)];
}

// ---- 大网站：先查精确索引（builder/site/search_exact.py）----
// 几百个分片时，Pagefind 每次查询都要并入全部分片（几 MB），而且只能重排它的前 16–32 个结果，
// 那时前面的多是把查询的字或数字分开含有的页面。所以 shards.json 有 exact 时，先找查询的每个词原样出现在
// 标题、检索键（项目编码、原文表题、三级指标、所属部门）或数字中的页面：每个词下载几个桶文件（每个几 KB），
// 再下载要显示的页面的片段。找不到时才用 Pagefind 检索全文；找到时，读者可以再点“在全文中搜索”。
// 页面的类别：0 标题与查询相同，1 标题含有，2 检索键与查询相同，3 检索键含有，4 数字（连同单位），5 金额的数字；
// 同类按种类（项目、部门、年度、数据质量报告、其他）、再按分片和页面的次序。
const NUMBER_WORD = /^[≥≤<>=]?\d+(?:\.\d+)?(?:亿元|万元|千元|元|%)?$/; // 指标值照原文：“≥95%”
const MONEY = /^(\d+(?:\.\d+)?)(?:亿元|万元|千元|元)$/;
const MOST_PAIRS = 8; // 一个词最多取几对相邻的字（每对一个桶）：太长的词（整个项目名称）均匀地取

// 字对索引只收这些字（与 builder/site/search_text.py 的 TEXT_CHARACTERS 相同）；它的桶文件只有约 1 KB，一个词多取几对
const TEXT_PAIR = /^[0-9a-z\u3400-\u4dbf\u4e00-\u9fff]{2}$/;
const MOST_TEXT_PAIRS = 24;

function pairsOf(word, keep = () => true, most = MOST_PAIRS) {
  const characters = [...word];
  const all = characters.slice(1).map((character, index) => characters[index] + character).filter(keep);
  if (all.length <= most) return [...new Set(all)];
  return [...new Set(Array.from({ length: most }, (_, index) => all[Math.round((index * (all.length - 1)) / (most - 1))]))];
}

function intersection(maps) {
  const [first, ...rest] = [...maps].sort((a, b) => a.size - b.size);
  return new Set([...first.keys()].filter((page) => rest.every((map) => map.has(page))));
}

// 检索键中的一处（分片序号 × 2^26 + 页面序号 × 64 + 键的序号）所在的页面
function pageOf(inKey) {
  return Math.floor(inKey / 2 ** 26) * 2 ** 20 + Math.floor((inKey % 2 ** 26) / 64);
}

// 一个词：页面 → [类别, 种类]
async function pagesOfWord(engine, word) {
  const found = new Map();
  if (NUMBER_WORD.test(word)) {
    const money = MONEY.exec(word); // 表中的金额不带单位（单位在表头）：“1280万元”也找写作“1280”的页面，排在后面
    const [exact, bare] = await Promise.all([engine.postings(`n${word}`), money ? engine.postings(`n${money[1]}`) : new Map()]);
    for (const [page, kind] of bare) found.set(page, [5, kind]);
    for (const [page, kind] of exact) found.set(page, [4, kind]);
    return found;
  }
  const pairs = pairsOf(word);
  const [title, key, inTitles, inKeys] = await Promise.all([
    engine.postings(`E${word}`),
    engine.postings(`K${word}`),
    Promise.all(pairs.map((pair) => engine.postings(`t${pair}`))),
    Promise.all(pairs.map((pair) => engine.postings(`k${pair}`))),
  ]);
  const kinds = new Map(inTitles.flatMap((map) => [...map]));
  for (const map of inKeys) for (const [at, kind] of map) kinds.set(pageOf(at), kind);
  const add = (pages, level) => {
    for (const page of pages) if (!found.has(page) || found.get(page)[0] > level) found.set(page, [level, kinds.get(page) ?? 4]);
  };
  add([...intersection(inKeys)].map(pageOf), 3); // 每对字都在同一个检索键里
  add(key.keys(), 2);
  add(intersection(inTitles), 1);
  add(title.keys(), 0);
  return found;
}

// 精确索引找到的页面（已排序）；null：这个查询不用精确索引（没有精确索引、有单个字的词，或是一个项目编码）
async function exactFind(engine, term) {
  if (!engine.exact) return null;
  // 只有符号的词（“社会公众满意度（%）”整理后的“%”）不算：精确索引里没有它，核对时也不要求
  const words = [...new Set(term.split(/\s+/).map(fold).filter((word) => /[\p{L}\p{N}]/u.test(word)))];
  if (!words.length || words.some((word) => !NUMBER_WORD.test(word) && [...word].length < 2)) return null;
  if (words.length === 1 && CODE_LIKE.test(term) && !NUMBER_WORD.test(words[0])) return null; // 项目编码：路由文件已经又快又全
  const each = await Promise.all(words.map((word) => pagesOfWord(engine, word)));
  const pages = intersection(each);
  const level = (page) => Math.max(...each.map((found) => found.get(page)[0]));
  const ranked = [...pages].map((page) => ({ page, level: level(page), kind: each[0].get(page)[1] }));
  ranked.sort((a, b) => a.level - b.level || a.kind - b.kind || a.page - b.page);
  const results = ranked.map((entry) => engine.exactResult(entry.page));
  // 前 CANDIDATES 个下载内容核对、按出现的位置重排（与 rank 相同）；不是原样含有查询的去掉（字对分开出现）
  const head = results.slice(0, CANDIDATES);
  const loaded = await Promise.all(head.map((result) => result.data()));
  const figures = words.map((word) => MONEY.exec(word)?.[1] ?? word).join(" ");
  const checked = head
    .map((result, order) => ({ result, order, data: loaded[order] }))
    .filter((entry) => complete(entry.data, figures))
    .map((entry) => ({ ...entry, score: score(entry.data, term) }))
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map((entry) => entry.result);
  return [...checked, ...results.slice(CANDIDATES)];
}

// ---- 摘要：从与查询相符的那一行或那一句取，表格的单元格用“ · ”隔开 ----
const CELL = /\.\s|。|；|\n/g;

function excerptFrom(content, term) {
  const lower = content.toLowerCase();
  const tries = [term, ...term.split(/\s+/), ...wordsOf(term)].map((word) => word.trim().toLowerCase()).filter(Boolean);
  for (const word of tries) {
    const at = lower.indexOf(word);
    if (at < 0) continue;
    // 从这一格（表格）或这一句（正文）开头取；表头单元格之间只有空格，就从相符的词取起
    const starts = [0];
    for (const match of content.slice(0, at).matchAll(/\.\s|。|；|\n| /g)) starts.push(match.index + match[0].length);
    let start = starts.at(-1);
    // 相符的是一个短格子（如指标值“≥95%”）：连前面的格子（三级指标、描述）一起显示
    if (at === start && word.length <= 8 && content.slice(at - 2, at) === ". " && starts.length > 2) start = starts.at(-3);
    if (at - start > 40) start = at - 20;
    let end = at + word.length;
    CELL.lastIndex = 0;
    const rest = content.slice(end);
    let taken = 0;
    for (const match of rest.matchAll(CELL)) {
      end = at + word.length + match.index;
      taken += 1;
      if (end - start >= 50 || taken >= 3) break;
    }
    if (taken === 0 || end - start < 10) end = Math.min(content.length, Math.max(end, at + word.length + 40));
    end = Math.min(end, start + 120);
    return { text: content.slice(start, end), at: at - start, length: word.length, cut: start > 0 };
  }
  return null;
}

function excerptNode(found) {
  const paragraph = document.createElement("p");
  paragraph.className = "bp-search__excerpt";
  const tidy = (text) => text.replace(/\.\s/g, " · ");
  const mark = document.createElement("mark");
  mark.textContent = found.text.slice(found.at, found.at + found.length);
  paragraph.append((found.cut ? "…" : "") + tidy(found.text.slice(0, found.at)), mark, tidy(found.text.slice(found.at + found.length)) + "…");
  return paragraph;
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

const KIND_LABELS = { quality: "数据质量报告", year: "年度汇总" };

function resultItem(data, term) {
  const item = document.createElement("li");
  item.className = "bp-search__result";
  const link = document.createElement("a");
  link.className = "bp-search__title";
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  item.append(link);
  const where = data.meta.department || KIND_LABELS[data.meta.kind];
  if (where) {
    const line = document.createElement("p");
    line.className = "bp-search__where";
    line.textContent = where;
    item.append(line);
  }
  const own = excerptFrom(data.content || "", term);
  item.append(own ? excerptNode(own) : excerpt(data.excerpt));
  return item;
}

// ---- 没有结果时：较短的词、按部门浏览 ----
function suggestions(term) {
  const root = new URL("..", new URL(box.dataset.bundle, location.href));
  const shorter = [...new Set(wordsOf(term.replace(/[^\p{L}\p{N}\s-]+/gu, " ")).filter((word) => word.length >= 2 && word !== term))].slice(0, 5);
  const wrap = document.createElement("div");
  wrap.className = "bp-search__tips";
  const intro = document.createElement("p");
  intro.textContent = "可以试试：";
  const list = document.createElement("ul");
  if (shorter.length) {
    const item = document.createElement("li");
    item.append("用较短的词搜索：");
    shorter.forEach((word, index) => {
      const link = document.createElement("a");
      link.href = `?q=${encodeURIComponent(word)}`;
      link.textContent = word;
      item.append(...(index ? ["、", link] : [link]));
    });
    list.append(item);
  }
  const browse = document.createElement("li");
  const home = document.createElement("a");
  home.href = root.href;
  home.textContent = "首页的部门列表";
  browse.append("按年度和部门浏览：", home, "（每个部门页面列出它的全部项目）");
  const tip = document.createElement("li");
  tip.textContent = "项目编码要完整输入；金额和指标值可以只输入数字，如“1280”“95”。";
  list.append(browse, tip);
  wrap.append(intro, list);
  return wrap;
}

async function showMore(query, term, first = false) {
  if (checking) return showChecked(query, term, first);
  const batch = await Promise.all(results.slice(shown, shown + PAGE_SIZE).map((result) => result.data()));
  if (query !== latest) return;
  list.append(...batch.map((data) => resultItem(data, term)));
  shown += batch.length;
  more.hidden = shown >= results.length;
}

// 大网站的全文检索分批进行：先由字对索引找出可能含有查询的分片（Engine.shardsHolding），一次检索 engine.batch 个
// 分片（第一次查询的下载量因此与网站大小无关）；它们给出的候选核对完后，读者点“显示更多结果”时再检索下一批。
// fullText：{ engine, term, pending：还没检索的分片, possible：可能含有查询的分片数, batches：已检索的各批（分片数、
// 检索后的候选数）}；null：候选不是分批得来的（编码的路由、查询中的数）
let fullText = null;

async function startFullText(engine, term) {
  fullText = null;
  if (!/\s/.test(term) && CODE_LIKE.test(term) && (await engine.shardsWith(term))) {
    return (await find(engine, term)).results.map(cached); // 编码：路由文件列出含有它的分片
  }
  const numbered = await pagesWithNumbers(engine, term);
  if (numbered) return numbered;
  const possible = await engine.shardsHolding(term);
  fullText = { engine, term, pending: [...possible], possible: possible.length, batches: [] };
  return nextBatch(fullText, []);
}

// 下一批分片给出的候选（不含已有的 known）。每个分片要为查询的每个词下载一块索引：词多的查询（整句话）一批少检索几个分片
async function nextBatch(state, known) {
  const words = Math.max(1, wordsOf(state.term).length);
  const size = Math.min(state.engine.batch, Math.max(2, Math.floor((state.engine.batch * 4) / words)));
  const batch = state.pending.splice(0, size);
  if (!batch.length) return [];
  const ids = new Set(known.map((result) => result.id));
  const found = (await candidates(state.engine, state.term, batch)).filter((result) => !ids.has(result.id));
  state.batches.push({ size: batch.length, end: known.length + found.length });
  return found;
}

// 查询中整个出现的数（“预算数2763.95”中的 2763.95）：含有查询的页面一定含有这些数，精确索引的 n 键列出了含有每个数的页面
// （builder/site/search_exact.py 的 page_keys）。这样的页面不多时，候选就是它们，逐个核对，不用 Pagefind：数字的每对字
// 几乎每片都有，Pagefind 给出的候选成千上万（实地试用：“预算数2763.95”要点 13 次才出现唯一的那一页）。
const NUMBER_IN_QUERY = /(?<!\d)(?<!\d\.)\d+(?:\.\d+)?(?!\d)(?!\.\d)/g; // 与 search_exact.py 的 NUMBER 相同
const MOST_NUMBERED = 400;

async function pagesWithNumbers(engine, term) {
  if (!engine.exact) return null;
  const numbers = new Set(term.split(/\s+/).flatMap((word) => fold(word).match(NUMBER_IN_QUERY) || []));
  if (!numbers.size) return null;
  const pages = intersection(await Promise.all([...numbers].map((number) => engine.postings(`n${number}`))));
  if (pages.size > MOST_NUMBERED) return null;
  return [...pages].sort((a, b) => a - b).map((page) => engine.exactResult(page));
}

// 在 shards 中检索的候选页面。查询的每一段（以空格分开）：浏览器分出几个词时用 Pagefind 的短语检索（"项目 开工 数"：
// 各词在索引中前后相连），否则检索这个词；各段的结果取交集，按结果最少的那段的次序。短语一个也找不到时（建索引时的分词
// 与浏览器不同），改为每段中两个字以上的词都要有。Pagefind 对一个分片里没有的词退而匹配它开头的词，所以候选中
// 仍可能有不含查询的页面，由 showChecked 核对。
async function candidates(engine, term, shards) {
  const parts = term.split(/\s+/);
  const phrase = (words) => (words.length > 1 ? engine.search(`"${words.join(" ")}"`, shards) : find(engine, words[0] || "", true, shards));
  const inOrder = await everyOf(parts.map((part) => () => phrase(wordsOf(part))));
  if (inOrder.length) return inOrder;
  const words = parts.flatMap((part) => {
    const longer = wordsOf(part).filter((word) => [...word].length >= 2);
    return longer.length ? longer : [part];
  });
  return everyOf([...new Set(words)].map((word) => () => find(engine, word, true, shards)));
}

// 依次检索（同时检索时 Pagefind 会重复下载同一块索引），只留下每次都找到的页面
async function everyOf(searches) {
  const lists = [];
  for (const search of searches) lists.push((await search()).results);
  const [fewest, ...rest] = lists.sort((a, b) => a.length - b.length);
  const sets = rest.map((list) => new Set(list.map((result) => result.id)));
  return fewest.filter((result) => sets.every((ids) => ids.has(result.id))).map((result) => cached(result));
}

// 大网站的全文检索（有精确索引时）：几百个分片里，Pagefind 对找不到的词退而匹配它开头的词，候选页面可能是全站，
// 所以只显示下载内容核对过、确实含有查询的页面，每次至多核对 CHECK_AT_ONCE 个候选，状态写明核对了多少。
// 候选核对完、还有没检索的分片时检索下一批：第一次查询不再检索（下载量有上限），之后每点一次至多 MORE_BATCHES 批，
// 还一个也没有找到时至多 MORE_BATCHES_NONE 批（网站上没有的短语，它的每对字却到处都有：“资金使用效率”）。
const CHECK_AT_ONCE = 40;
const MORE_BATCHES = 3;
const MORE_BATCHES_NONE = 6;
const MORE_SHOWN = 50;
let checking = false;
let checked = 0; // 已核对的候选
let held = 0; // 其中含有查询的
let checkedHow = "";

async function showChecked(query, term, first = false) {
  more.disabled = true; // 检索下一批分片要一会儿：其间再点不会重复检索
  try {
    await checkMore(query, term, first);
  } finally {
    more.disabled = false;
  }
}

async function checkMore(query, term, first) {
  const items = [];
  const start = checked;
  const state = fullText;
  let batches = 0;
  // 第一次至多核对 CHECK_AT_ONCE 个、显示 PAGE_SIZE 个；之后每点一次至多核对 5 倍、显示 MORE_SHOWN 个
  // （实地试用：一次 10 个时，列出 749 个页面要点 52 次）
  const room = () => checked - start < (first ? CHECK_AT_ONCE : 5 * CHECK_AT_ONCE);
  while (items.length < (first ? PAGE_SIZE : MORE_SHOWN) && room()) {
    if (checked >= results.length) {
      if (!state?.pending.length || first || batches >= (held || items.length ? MORE_BATCHES : MORE_BATCHES_NONE)) break;
      const found = await nextBatch(state, results);
      if (query !== latest) return;
      results.push(...found);
      batches += 1;
      continue;
    }
    const slice = results.slice(checked, checked + PAGE_SIZE);
    const batch = await Promise.all(slice.map((result) => result.data()));
    if (query !== latest) return;
    checked += slice.length;
    items.push(...batch.filter((data) => complete(data, term)));
  }
  held += items.length;
  list.append(...items.map((data) => resultItem(data, term)));
  const all = checked >= results.length && !state?.pending.length;
  more.hidden = all;
  if (all && !held) {
    notFound(term);
    return;
  }
  const percent = Math.min(99, Math.floor(100 * coverage(state)));
  status.textContent = (all
    ? `找到 ${held} 个含有“${term}”的页面${checkedHow}`
    : `${held ? `已找到 ${held} 个` : "还没有找到"}含有“${term}”的页面${checkedHow}${held ? "，还没有找完" : ""}（已查过全站的${
        percent ? ` ${percent}%` : "不到 1%"
      }）；点“显示更多结果”接着找`) + incomplete();
}

// 全文检索已查完的部分：分批检索时，是字对索引排除的分片与候选都已核对的各批分片占全部分片的比例；否则是已核对的候选的比例
function coverage(state) {
  if (!state) return results.length ? checked / results.length : 1;
  const total = state.engine.names.length;
  const done = state.batches.filter((batch) => batch.end <= checked).reduce((sum, batch) => sum + batch.size, 0);
  return (total - state.possible + done) / total;
}

function notFound(term) {
  status.textContent = `没有找到含有“${term}”的页面` + incomplete();
  tips.replaceChildren(suggestions(term));
}

// ---- 浏览器历史：每次搜索一条记录，“后退”回到上一次的查询并重新显示结果 ----
// 边打字边搜索时（每停顿 0.3 秒搜一次），接着打的字（新查询以上一个开头，或反过来）只改写当前这条记录，
// 不为每个半截的词各留一条；按回车或按钮确认过的查询保留。
function remember(text, typed) {
  const current = new URLSearchParams(location.search).get("q") || "";
  const url = `?q=${encodeURIComponent(text)}`;
  if (text === current) {
    if (!typed) history.replaceState({ typed: false }, "", url);
    return;
  }
  const continuing = typed && history.state?.typed && (text.startsWith(current) || current.startsWith(text));
  if (!current || continuing) history.replaceState({ typed }, "", url);
  else history.pushState({ typed }, "", url);
}

const HINT = "请输入要找的内容，如项目名称、部门名称、项目编码、三级指标，或金额的数字（如“1280”）。";

async function search(text, { typed = false, record = true, full = false } = {}) {
  const query = ++latest;
  const term = normalized(text);
  list.replaceChildren();
  tips.replaceChildren();
  more.hidden = true;
  if (!term) {
    status.textContent = HINT;
    return;
  }
  asked = text.trim();
  if (record) remember(asked, typed);
  status.textContent = "正在搜索……";
  lost = 0;
  let found;
  let used = term;
  let how = ""; // 没有按原样搜索时，说明怎样搜的
  let large = false; // 有精确索引的大网站：全文检索的结果逐个核对（showChecked）
  try {
    let engine = await pagefind();
    large = Boolean(engine.exact);
    let exact = null;
    if (!full) {
      exact = await exactFind(engine, term).catch(async (error) => {
        console.error(error); // 网站刚更新过、桶文件已换：重新读 shards.json 再试一次
        engine = await reloaded();
        return exactFind(engine, term);
      });
      if (exact && !exact.length && /\p{Script=Han}/u.test(term)) {
        const simple = await simplified(term);
        if (simple !== term) [exact, used, how] = [await exactFind(engine, simple), simple, `按简体“${simple}”搜索`];
      }
    }
    if (exact?.length) {
      if (query === latest) await show(query, exact, used, how, text, true);
      return;
    }
    if (large && typed) {
      // 边打字边搜索时不自动检索全文：几百个分片要下载几 MB，字还没打完就白下载了
      if (query === latest) {
        status.textContent = exact ? `标题、项目编码、三级指标和数字中没有“${text.trim()}”。` : "可以接着输入，或按回车键搜索。";
        tips.append(fullTextOffer(text, false));
      }
      return;
    }
    [used, how] = [term, ""];
    if (large) {
      found = await startFullText(engine, term);
      if (!found.length && !fullText?.pending.length && /\p{Script=Han}/u.test(term)) {
        const simple = await simplified(term);
        if (simple !== term && query === latest) [found, used, how] = [await startFullText(engine, simple), simple, `按简体“${simple}”搜索`];
      }
      if (query === latest) await show(query, found, used, how, text, false, true);
      return;
    }
    found = await rank(engine, term);
    if (!found.length && /\p{Script=Han}/u.test(term)) {
      const simple = await simplified(term);
      if (simple !== term && query === latest) [found, used, how] = [await rank(engine, simple), simple, `按简体“${simple}”搜索`];
    }
    // 连着输入的几个词（“新能源汽车补贴”）原样不在任何页面上：分成词再找（“新能源 汽车 补贴”），每个词都要有
    const apart = found.length || /\s/.test(used) ? "" : wordsOf(used.replace(/[^\p{L}\p{N}\s-]+/gu, " ")).join(" ");
    if (apart.includes(" ") && query === latest) {
      [found, used, how] = [await rank(engine, apart, true), apart, `分成“${apart}”几个词搜索`];
    }
  } catch (error) {
    console.error(error);
    if (query === latest) status.textContent = "搜索索引加载失败，请稍后再试。";
    return;
  }
  if (query !== latest) return;
  await show(query, found, used, how, text, false);
}

function reloaded() {
  engine = null; // 下次 pagefind() 重新读 shards.json
  return pagefind();
}

// 显示结果；exact：结果来自精确索引，另给“在全文中搜索”
async function show(query, found, used, how, text, exact, check = false) {
  results = found;
  shown = 0;
  shownTerm = used;
  [checking, checked, held, checkedHow] = [check && (found.length > 0 || fullText?.pending.length > 0), 0, 0, how ? `（${how}）` : ""];
  if (check && !checking) {
    more.hidden = true;
    notFound(used);
    return;
  }
  const said = how && results.length ? `（${how}）` : "";
  const where = exact ? `（标题、项目编码、三级指标或数字中含有“${how ? used : text.trim()}”）` : "";
  status.textContent = checking
    ? "正在全文中查找……" // showChecked 写明找到几个
    : (results.length ? `找到 ${results.length} 个页面${where}${said}` : `没有找到与“${text.trim()}”有关的页面`) + incomplete();
  if (exact) tips.append(fullTextOffer(text));
  else if (!results.length) tips.append(suggestions(normalized(text)));
  await showMore(query, used, true);
}

// found：上面已列出精确索引找到的页面
function fullTextOffer(text, found = true) {
  const line = document.createElement("p");
  line.className = "bp-search__scope";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "md-button bp-search__full";
  button.textContent = "在全文中搜索";
  button.addEventListener("click", () => search(text, { record: false, full: true }));
  line.append(found ? "正文中含有它的页面不在其中。" : "", "全文搜索要多下载一些数据（手机上可能要十几秒）。", button);
  return line;
}

box.querySelector("form").addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(timer);
  search(input.value);
});
input.addEventListener("input", () => {
  clearTimeout(timer);
  timer = setTimeout(() => search(input.value, { typed: true }), 300);
});
more.addEventListener("click", () => showMore(latest, shownTerm));
window.addEventListener("popstate", () => {
  const text = new URLSearchParams(location.search).get("q") || "";
  if (text === asked) return; // 只是网址的 # 变了（如“跳到正文”）
  clearTimeout(timer);
  input.value = text;
  search(text, { record: false });
});

const initial = new URLSearchParams(location.search).get("q");
if (initial) {
  input.value = initial;
  search(initial);
} else if (!location.hash) {
  input.focus({ preventScroll: true }); // 从页头的搜索按钮来：直接输入，不必再按十几下 Tab 找到输入框
}
