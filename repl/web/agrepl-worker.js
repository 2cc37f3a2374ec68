/* agrepl-worker.js — runs agrepl (agrepl.js: the C session compiled to
 * WebAssembly) in a Web Worker, so the page never freezes while a loop runs.
 * Messages from the page: init {flag} (an Int32Array on a SharedArrayBuffer
 * the page sets for Ctrl-C, or null), run {src, lesson} (lesson: a lesson
 * page's lesson, run as agrepl --lesson runs one), complete {line, end},
 * put {name, bytes, made} (made: a file the page drew for a statement),
 * get {name}, list.  To the page: text {stream, text}, display {...},
 * savefig {...} and render {name, svg} (from the C code, web_main.c,
 * plot_web.c and viz_web.c), ready, viz-ready, done {rc}, completions, file,
 * files, error. */
'use strict';
/* when each step of the start ended (ms since the page began loading):
 * the ready message carries them, the web bench prints them */
var stages = { worker: performance.timeOrigin + performance.now() };
/* opened from disk the page makes this worker from a Blob of agrepl.wasm
 * (base64), agrepl.js, viz-global.js, unzip.js and this file
 * (agrepl-file.js): they are here already */
/* agrepl.wasm compiled as it downloads, while agrepl.js is read: started
 * first (a server that sends .wasm without its type gets the bytes compiled) */
var compiled = self.agreplWasm || typeof WebAssembly.compileStreaming !== 'function' ? null :
  WebAssembly.compileStreaming(fetch('agrepl.wasm')).catch(function () {
    return fetch('agrepl.wasm').then(function (r) { return r.arrayBuffer(); }).then(WebAssembly.compile);
  });
if (typeof createAgrepl !== 'function') importScripts('agrepl.js');
if (typeof agUnzip !== 'function') importScripts('unzip.js');
stages.scripts = performance.timeOrigin + performance.now();

var agrepl = null;
var HOME = '/home/web_user';

/* The session's text, a line at a time from C (web_main.c), goes to the
 * page in pieces of at most TEXT_MS of output: a message a line froze the
 * page (2,000 printed lines took 35 s, each laid out apart).  A line after
 * a quiet spell goes at once; what waits is sent by the next line past
 * TEXT_MS, by the statement boundaries' look at Ctrl-C (agTextDue), and
 * before any other message, so the page gets everything in order.
 * A piece keeps at most the last TEXT_LINES lines of what waits: the
 * console keeps that many (agrepl-page.js, OUTPUT_LINES), and a loop printing
 * millions of lines a second would otherwise keep the page too busy to
 * take a Stop. */
var TEXT_MS = 50, TEXT_LINES = 10000;
var postRaw = self.postMessage.bind(self);
var textOut = { stream: 0, pieces: [], lines: 0, since: 0 };
function newlines(t) {
  var n = 0;
  for (var i = t.indexOf('\n'); i >= 0; i = t.indexOf('\n', i + 1)) n++;
  return n;
}
/* whole: all that waits (before another message, at the end); else up to
 * its last newline, a line C writes in two (print's value, then its
 * newline) kept whole for the next piece */
function flushText(whole) {
  if (!textOut.pieces.length) return;
  var joined = textOut.pieces.join(''), end = whole === false ? joined.lastIndexOf('\n') + 1 : joined.length;
  textOut.pieces = end < joined.length ? [joined.slice(end)] : [];
  textOut.lines = 0;
  if (end > 0) postRaw({ type: 'text', stream: textOut.stream, text: joined.slice(0, end) });
}
/* what waits cut to its last TEXT_LINES lines */
function lastLines() {
  var joined = textOut.pieces.join(''), cut = joined.length;
  for (var k = 0; k <= TEXT_LINES && cut > 0; k++) cut = joined.lastIndexOf('\n', cut - 1);
  textOut.pieces = [joined.slice(cut + 1)];
  textOut.lines = newlines(textOut.pieces[0]);
}
function postText(stream, t) {
  var now = performance.now();
  if (stream !== textOut.stream) flushText();
  if (!textOut.pieces.length) {
    textOut.stream = stream;
    if (now - textOut.since >= TEXT_MS && t.charCodeAt(t.length - 1) === 10) { /* after a quiet spell: at once */
      textOut.since = now;
      postRaw({ type: 'text', stream: stream, text: t });
      return;
    }
  }
  textOut.pieces.push(t);
  textOut.lines += newlines(t);
  if (textOut.lines > 2 * TEXT_LINES) lastLines();
  if (now - textOut.since >= TEXT_MS) {
    textOut.since = now;
    flushText(false);
  }
}
/* the text waiting, sent once it is TEXT_MS old (called by web_main.c) */
function textDue() {
  if (textOut.pieces.length && performance.now() - textOut.since >= TEXT_MS) {
    textOut.since = performance.now();
    flushText(false);
  }
}
self.postMessage = function (message, transfer) {
  flushText();
  postRaw(message, transfer);
};

function sync(populate) {
  return new Promise(function (resolve) {
    agrepl.FS.syncfs(populate, function (err) { resolve(err); });
  });
}

async function init(message) {
  var started = performance.now();
  var options = {
    agInterrupt: message.flag,
    agUnzip: agUnzip,
    agRenderDot: function (dot, format) {
      if (viz === null) throw new Error('the graph drawer could not be loaded (' + vizFailed + ')');
      return viz.renderString(dot, { format: format });
    },
    agText: postText,
    agTextDue: textDue,
    print: function (t) { postText(1, t + '\n'); },
    printErr: function (t) { postText(2, t + '\n'); }
  };
  /* opened from disk agrepl.wasm came in agrepl-file.js, in base64 */
  if (compiled) options.instantiateWasm = function (imports, receive) {
    compiled.then(function (module) { return WebAssembly.instantiate(module, imports); })
      .then(function (instance) { receive(instance); },
            function (e) { postMessage({ type: 'error', text: 'agrepl.wasm could not be loaded: ' + e }); });
    return {};
  };
  if (self.agreplWasm) options.wasmBinary = Uint8Array.from(atob(self.agreplWasm), function (c) { return c.charCodeAt(0); });
  agrepl = await createAgrepl(options);
  stages.wasm = performance.timeOrigin + performance.now();
  /* the session's files live in the browser's IndexedDB (emscripten's
   * IDBFS), read in after the prompt shows: the first statement waits for
   * them (messages are handled one at a time) */
  var mounted = true;
  try {
    agrepl.FS.mount(agrepl.IDBFS, {}, HOME);
  } catch (e) {
    mounted = false;
    postMessage({ type: 'text', stream: 2, text: 'files: this browser keeps no files (' + e + ')\n' });
  }
  agrepl.FS.chdir(HOME);
  if (agrepl._web_start() !== 0) throw new Error('out of memory');
  stages.session = performance.timeOrigin + performance.now();
  postMessage({ type: 'ready', ms: performance.now() - started, persistent: true, stages: stages });
  var error = mounted ? await sync(true) : null;
  if (error) postMessage({ type: 'text', stream: 2, text: 'files: this browser keeps no files (' + error + ')\n' });
  stages.files = performance.timeOrigin + performance.now();
  /* @viz-js/viz (Graphviz in WebAssembly) after the first prompt: the
   * console takes input while it loads; a statement waits for it (render
   * and show call it from C, which cannot wait), as it waits for the files */
  vizLoaded = new Promise(function (resolve) {
    setTimeout(function () {
      try {
        if (typeof Viz === 'undefined') importScripts('viz-global.js');
        Viz.instance().then(function (instance) {
          viz = instance;
          postMessage({ type: 'viz-ready' });
          resolve();
        }, function (e) { vizFailed = String(e); resolve(); });
      } catch (e) {
        vizFailed = String(e);
        resolve();
      }
    }, 0);
  });
}
var viz = null, vizFailed = 'it is still loading', vizLoaded = null;

function files() {
  return agrepl.FS.readdir(HOME).filter(function (n) {
    return n[0] !== '.' && agrepl.FS.isFile(agrepl.FS.stat(HOME + '/' + n).mode);
  });
}

/* load_npz: the compressed members of the session's .npz files inflated
 * before a statement runs (unzip.js), those of a file changed since too */
var npzSeen = '';
async function prepareNpz() {
  var names = files().filter(function (n) { return /\.npz$/i.test(n); });
  var now = names.map(function (n) {
    var st = agrepl.FS.stat(HOME + '/' + n);
    return n + ':' + st.mtime.getTime() + ':' + st.size;
  }).join('/');
  if (now === npzSeen) return;
  npzSeen = now;
  await agUnzipPrepare(names.map(function (n) { return agrepl.FS.readFile(HOME + '/' + n); }));
}

/* the session's files written since the last look (name -> mtime and size) */
var seen = null;
function written() {
  var now = {}, changed = [];
  files().forEach(function (n) {
    var st = agrepl.FS.stat(HOME + '/' + n);
    now[n] = st.mtime.getTime() + ':' + st.size;
    if (seen !== null && seen[n] !== now[n]) changed.push(n);
  });
  seen = now;
  return changed;
}

/* one message at a time, in order: a run waits for the inflating before it */
var queue = Promise.resolve();
onmessage = function (event) {
  queue = queue.then(function () { return handle(event.data); });
};

async function handle(m) {
  try {
    if (m.type === 'init') {
      await init(m);
    } else if (m.type === 'run') {
      if (seen === null) written();
      await prepareNpz();
      if (vizLoaded) await vizLoaded;
      var started = performance.now();
      var rc = agrepl.ccall(m.lesson ? 'web_run_lesson' : 'web_run', 'number', ['string'], [m.src]);
      var ms = performance.now() - started;
      if (rc !== 2) await sync(false);
      postMessage({ type: 'done', rc: rc, ms: ms, files: files(), written: written() });
    } else if (m.type === 'complete') {
      var enc = new TextEncoder().encode(m.line.slice(0, m.end)).length;
      var p = agrepl.ccall('web_complete', 'number', ['string', 'number'], [m.line, enc]);
      var words = agrepl.UTF8ToString(p).split('\n').filter(function (w) { return w; });
      agrepl._free(p);
      postMessage({ type: 'completions', words: words, line: m.line, end: m.end });
    } else if (m.type === 'put' && m.made) {
      /* a file the page drew for a statement (savefig, render to .png): where
       * the statement named it, as the session writes its files */
      try {
        agrepl.FS.writeFile(m.name, new Uint8Array(m.bytes));
      } catch (e) {
        postMessage({ type: 'text', stream: 2, text: m.name + ': cannot keep it in the session\'s files (' + e + ')\n' });
        return;
      }
      await sync(false);
      written();
      postMessage({ type: 'files', files: files(), quiet: true });
    } else if (m.type === 'put') {
      agrepl.FS.writeFile(HOME + '/' + m.name, new Uint8Array(m.bytes));
      await sync(false);
      written();
      await prepareNpz();
      postMessage({ type: 'files', files: files(), quiet: true, note: 'copied ' + m.name + ' into the session\'s files' });
    } else if (m.type === 'get') {
      var data = agrepl.FS.readFile(HOME + '/' + m.name);
      postMessage({ type: 'file', name: m.name, bytes: data.buffer }, [data.buffer]);
    } else if (m.type === 'list') {
      postMessage({ type: 'files', files: files() });
    }
  } catch (e) {
    postMessage({ type: 'error', text: String(e && e.stack ? e.stack : e) });
  }
  flushText();
}
